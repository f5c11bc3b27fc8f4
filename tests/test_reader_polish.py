"""The reader pages' finish: where readers are, no label repeated on every
entry, feeds to follow, one search box, expert pages by story, a favicon."""

import re
from datetime import datetime

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from articles.models import Tag
from tests.factories import make_article, make_author, make_expert, make_section

pytestmark = pytest.mark.django_db


def html(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def nav_links(page):
    nav = re.search(r'<nav class="sections".*?</nav>', page, re.S).group(0)
    return re.findall(r"<a ([^>]*)>([^<]*)</a>", nav)


def test_the_navigation_marks_the_section_readers_are_in(client):
    world, business = make_section(name="World"), make_section(name="Business")
    story = make_article(section=world)

    def current(url):
        return {
            name: attrs for attrs, name in nav_links(html(client, url)) if "aria-current" in attrs
        }

    assert list(current(world.get_absolute_url())) == ["World"]
    assert 'aria-current="page"' in current(world.get_absolute_url())["World"]
    assert list(current(business.get_absolute_url())) == ["Business"]
    # A story is in its section, but is not the section's page.
    assert 'aria-current="true"' in current(story.get_absolute_url())["World"]
    assert current("/") == {}


def test_a_section_page_does_not_label_every_entry_with_its_own_name(client):
    world = make_section(name="Worldwide")
    make_article(section=world, headline="Ferry returns")

    assert 'class="kicker"' not in html(client, world.get_absolute_url())
    assert '<p class="kicker"><a href="/section/' in html(client, "/")  # elsewhere it helps


def test_a_byline_names_every_author_in_order_in_the_storys_language(client):
    names = ["Ana O'Neil", "Elias Varga", "Maria Lindqvist"]
    story = make_article(headline="Three", authors=[make_author(name=n) for n in names])
    plain = re.sub(
        r"<[^>]+>",
        "",
        re.search(
            r'<span class="byline">(.*?)</span>', html(client, story.get_absolute_url())
        ).group(1),
    )
    assert plain == "By Ana O&#x27;Neil, Elias Varga and Maria Lindqvist"

    # A card of a story in Arabic, on a list (a tag's page), in Arabic words.
    make_article(
        headline="ثلاثة",
        language="ar",
        tags=["Ports in Arabic"],
        authors=[make_author(name=n) for n in ("ليلى", "سامي")],
    )
    listing = html(client, Tag.objects.get(name="Ports in Arabic").get_absolute_url())
    card = re.search(r'<span class="byline">(.*?)</span>', listing).group(1)
    assert re.sub(r"<[^>]+>", "", card) == "بقلم ليلى و سامي"


def test_an_author_page_names_only_their_co_authors(client):
    maria, tomas = make_author(name="Maria Lindqvist"), make_author(name="Tomás Okafor")
    make_article(headline="Alone", authors=[maria])
    together = make_article(headline="Together", authors=[tomas, maria])

    page = html(client, maria.get_absolute_url())
    bylines = re.findall(r'<span class="byline">(.*?)</span>', page)
    assert [re.sub(r"<[^>]+>", "", line) for line in bylines] == ["With Tomás Okafor"]
    assert "By Maria" not in page
    # Everywhere else, everyone is named.
    assert "Tomás Okafor</a> and <a" in html(client, together.get_absolute_url())
    assert "With Maria Lindqvist" in re.sub(r"<[^>]+>", "", html(client, tomas.get_absolute_url()))


@pytest.mark.parametrize("owner", ["section", "tag", "author"])
def test_section_tag_and_author_pages_show_links_to_their_feeds(client, owner):
    author = make_author(slug="ana")
    story = make_article(authors=[author], tags=["Harbours"])
    page_owner = {"section": story.section, "tag": story.tags.get(), "author": author}[owner]
    page = html(client, page_owner.get_absolute_url())

    body = page.split("<body>", 1)[1]
    feed = page_owner.get_absolute_url() + "feed/"
    assert f'<a href="{feed}" type="application/rss+xml">RSS</a>' in body
    assert f'<a href="{feed}atom/" type="application/atom+xml">Atom</a>' in body


def test_the_search_page_has_one_search_box(client):
    make_article(headline="Harbour news")
    assert html(client, "/search/?q=harbour").count('type="search"') == 1
    assert html(client, "/search/").count('type="search"') == 1
    assert html(client, "/").count('type="search"') == 1  # the masthead's, everywhere else


def test_an_expert_page_lists_each_story_once_with_its_date_and_the_quotes_under_it(client):
    expert = make_expert(
        name="Elias Varga",
        title="economist",
        affiliation="Baltic Institute",
        link="https://www.example.org/people/varga?lang=en",
    )
    make_article(
        headline="Harbour budget agreed",
        quotes=[(expert, "It is a start."), (expert, "It will not be enough.")],
        published_at=timezone.make_aware(datetime(2026, 5, 8, 7, 30)),
    )
    make_article(headline="Ferry returns", quotes=[(expert, "Good news.")])

    page = html(client, expert.get_absolute_url())

    assert page.count(">Harbour budget agreed</a>") == 1
    story = page.split(">Harbour budget agreed</a>", 1)[1].split("<article", 1)[0]
    assert '<time datetime="2026-05-08T07:30:00+01:00">8 May 2026</time>' in story
    assert story.index("It is a start.") < story.index("It will not be enough.")
    assert page.index("Ferry returns") < page.index("Harbour budget agreed")  # newest first
    assert (
        '<a href="https://www.example.org/people/varga?lang=en" rel="nofollow noopener">'
        "www.example.org</a>"
    ) in page
    # Typed to follow a name mid-sentence; on its own line it starts with a capital.
    assert '<p class="profile__role">Economist, Baltic Institute</p>' in page


def test_who_we_spoke_to_names_an_expert_once_under_quotes_said_together(client):
    expert = make_expert(name="Elias Varga", title="economist")
    other = make_expert(name="Aino Virtanen")
    story = make_article(
        quotes=[(expert, "One."), (expert, "Two."), (expert, "Three."), (other, "Four.")]
    )

    page = html(client, story.get_absolute_url())
    quotes = page.split('id="quotes-heading"', 1)[1]
    assert quotes.count(">Elias Varga</a>, economist") == 1
    assert quotes.count(">Aino Virtanen</a>") == 1
    assert quotes.index("One.") < quotes.index("Two.") < quotes.index("Three.")
    assert quotes.index("Three.") < quotes.index("Elias Varga") < quotes.index("Four.")
    # As typed, after the name.
    assert ", economist, Example Institute" in quotes


def test_who_we_spoke_to_keeps_each_setting_an_expert_spoke_in(client):
    expert = make_expert(name="Elias Varga")
    story = make_article(quotes=[(expert, "One."), (expert, "Two.")])
    first, second = story.quotes.all()
    first.context, second.context = "on Monday", "on Tuesday"
    first.save()
    second.save()

    quotes = html(client, story.get_absolute_url()).split('id="quotes-heading"', 1)[1]
    assert quotes.count(">Elias Varga</a>") == 2
    assert "on Monday" in quotes and "on Tuesday" in quotes


def test_every_page_links_the_favicon_which_is_a_static_file(client):
    page = html(client, "/")
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert icon is not None
    assert icon.group(1).startswith("/static/")
    assert finders.find(icon.group(1).removeprefix("/static/"))
    touch = re.search(r'<link rel="apple-touch-icon" href="/static/([^"]+)">', page).group(1)
    assert finders.find(touch)


def test_a_card_dates_its_story_in_the_sites_time_zone_and_the_storys_language(client):
    from zoneinfo import ZoneInfo

    moment = datetime(2026, 7, 14, 23, 30, tzinfo=ZoneInfo("UTC"))  # 00:30 the next day in London
    make_article(headline="Late", tags=["Night desk"], published_at=moment)
    make_article(headline="متأخر", language="ar", tags=["Night desk"], published_at=moment)
    local = timezone.localtime(moment)
    listing = html(client, Tag.objects.get(name="Night desk").get_absolute_url())
    times = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', listing)
    english = f"{local.day} {local:%B %Y, %H:%M}"
    assert (local.isoformat(), english) in times
    arabic = [shown for iso, shown in times if iso == local.isoformat() and shown != english]
    assert len(arabic) == 1 and re.search(r"[\u0600-\u06ff]", arabic[0])  # the month in Arabic


def test_a_story_in_another_language_on_the_home_page_is_marked_and_dated_in_it(client):
    make_article(
        headline="الموانئ تعود إلى العمل",
        language="ar",
        authors=[make_author(name=n) for n in ("ليلى", "سامي")],
    )
    home = html(client, "/")
    teaser = re.search(
        r'<article class="(?:lead|teaser)[^"]*" lang="ar" dir="rtl">(.*?)</article>', home, re.S
    )
    assert teaser and "الموانئ تعود إلى العمل" in teaser.group(1)
    byline = re.search(r'<span class="byline">(.*?)</span>', teaser.group(1)).group(1)
    assert re.sub(r"<[^>]+>", "", byline) == "بقلم ليلى و سامي"
    english = make_article(headline="Ferries run again")
    assert 'lang="ar"' not in re.search(
        rf'<article class="(?:lead|teaser)[^"]*"[^>]*>(?:(?!</article>).)*{english.headline}',
        html(client, "/"),
        re.S,
    ).group(0)
