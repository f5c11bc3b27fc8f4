from datetime import timedelta
from xml.etree import ElementTree

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from articles import feeds
from articles.models import Article, Author, Correction, Expert, Section, Tag
from tests.factories import make_article, make_author, make_expert, make_section
from tests.reader_helpers import make_grid

pytestmark = pytest.mark.django_db

FEED_KINDS = ["rss", "atom"]


def _feed_urls(grid):
    slugs = {
        "section": grid.section.slug,
        "author": grid.author.slug,
        "tag": grid.published.tags.get().slug,
    }
    urls = [reverse("articles:feed"), reverse("articles:feed_atom")]
    for owner, slug in slugs.items():
        urls.append(reverse(f"articles:{owner}_feed", args=[slug]))
        urls.append(reverse(f"articles:{owner}_feed_atom", args=[slug]))
    return urls


def _parse(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, (url, feed.get("bozo_exception"))
    return response, feed


def test_every_feed_is_well_formed_and_lists_only_the_published_story(client):
    grid = make_grid()
    for url in _feed_urls(grid):
        response, feed = _parse(client, url)
        titles = [entry.title for entry in feed.entries]
        assert titles == ["Published story"], url
        assert "Hidden" not in response.content.decode()


@pytest.mark.parametrize("kind", FEED_KINDS)
def test_feed_entries_carry_bylines_in_order_tags_dates_and_links(client, kind):
    first, second = make_author(name="Maria Lindqvist"), make_author(name="Tomás Okafor")
    published_at = timezone.now().replace(microsecond=0) - timedelta(hours=3)
    article = make_article(
        headline="Harbour reopens",
        dek="Ships & ferries return, 3 < 4.",
        authors=[first, second],
        tags=["Ports", "Weather"],
        published_at=published_at,
    )
    url = reverse("articles:feed" if kind == "rss" else "articles:feed_atom")
    _, feed = _parse(client, url)

    (entry,) = feed.entries
    assert entry.title == "Harbour reopens"
    assert entry.link == f"http://testserver{article.get_absolute_url()}"
    # The summary is HTML: a reader shows the plain-text standfirst literally.
    assert entry.summary == "Ships &amp; ferries return, 3 &lt; 4."
    assert [author.name for author in entry.authors] == ["Maria Lindqvist", "Tomás Okafor"]
    assert sorted(tag.term for tag in entry.tags) == ["Ports", "Weather"]
    assert entry.published_parsed[:6] == published_at.utctimetuple()[:6]
    assert feed.feed.title == "The Newsroom"
    if kind == "atom":
        assert entry.updated_parsed is not None


def test_rss_names_each_author_in_a_dublin_core_creator_of_their_own(client):
    make_article(authors=[make_author(name="Maria Lindqvist"), make_author(name="Tomás Okafor")])
    root = ElementTree.fromstring(client.get(reverse("articles:feed")).content)

    dc = "{http://purl.org/dc/elements/1.1/}creator"
    (item,) = root.iter("item")
    assert [creator.text for creator in item.findall(dc)] == ["Maria Lindqvist", "Tomás Okafor"]
    assert item.find("author") is None  # RSS's own <author> is an email address
    assert b'xmlns:dc="http://purl.org/dc/elements/1.1/"' in ElementTree.tostring(root)


def test_atom_gives_each_author_an_author_element_with_their_page(client):
    maria = make_author(name="Maria Lindqvist", slug="maria-lindqvist")
    tomas = make_author(name="Tomás Okafor", slug="tomas-okafor")
    make_article(authors=[maria, tomas])
    root = ElementTree.fromstring(client.get(reverse("articles:feed_atom")).content)

    atom = "{http://www.w3.org/2005/Atom}"
    (entry,) = root.iter(f"{atom}entry")
    assert [
        (author.findtext(f"{atom}name"), author.findtext(f"{atom}uri"))
        for author in entry.findall(f"{atom}author")
    ] == [
        ("Maria Lindqvist", "http://testserver/authors/maria-lindqvist/"),
        ("Tomás Okafor", "http://testserver/authors/tomas-okafor/"),
    ]


def test_a_story_without_a_byline_names_no_author_in_its_entry(client):
    make_article(authors=[])
    for url in (reverse("articles:feed"), reverse("articles:feed_atom")):
        entry = feedparser.parse(client.get(url).content).entries[0]
        assert "authors" not in entry or entry.authors == [{}], url
        assert "dc:creator" not in client.get(url).content.decode()


def test_feed_is_newest_first_and_capped(client):
    now = timezone.now()
    for hours in range(35):
        make_article(headline=f"Story {hours:02d}", published_at=now - timedelta(hours=hours + 1))
    _, feed = _parse(client, reverse("articles:feed"))
    assert [e.title for e in feed.entries] == [f"Story {h:02d}" for h in range(30)]


def test_section_feed_only_has_that_sections_stories(client):
    world, business = make_section(name="World"), make_section(name="Business")
    make_article(headline="In world", section=world)
    make_article(headline="In business", section=business)
    _, feed = _parse(client, reverse("articles:section_feed", args=[world.slug]))
    assert [e.title for e in feed.entries] == ["In world"]
    assert feed.feed.title == "World — The Newsroom"


def test_empty_feeds_are_still_valid(client):
    author = make_author()
    for url in (
        reverse("articles:feed"),
        reverse("articles:author_feed", args=[author.slug]),
        reverse("articles:author_feed_atom", args=[author.slug]),
    ):
        _, feed = _parse(client, url)
        assert feed.entries == []


@pytest.mark.parametrize("name", ["section_feed", "author_feed_atom", "tag_feed", "tag_feed_atom"])
def test_feed_for_an_unknown_owner_is_404(client, name):
    assert client.get(reverse(f"articles:{name}", args=["no-such-thing"])).status_code == 404


@pytest.mark.parametrize("kind", ["", "_atom"])
def test_feed_query_count_is_flat_with_1_or_20_entries(
    client, kind, django_assert_max_num_queries, django_assert_num_queries
):
    from tests.test_pages import _count

    author = make_author()
    make_article(authors=[author], tags=["one"])
    url = reverse(f"articles:author_feed{kind}", args=[author.slug])
    with django_assert_max_num_queries(4), _count() as one:
        assert client.get(url).status_code == 200
    for n in range(19):
        make_article(authors=[author, make_author()], tags=[f"t{n}", "shared"])
    with django_assert_num_queries(len(one)):
        _, feed = _parse(client, url)
    assert len(feed.entries) == 20


def test_pages_advertise_their_feeds(client):
    grid = make_grid()
    home = client.get("/").content.decode()
    assert (
        f'type="application/rss+xml" title="The Newsroom (RSS)" href="{reverse("articles:feed")}"'
        in home
    )
    section_page = client.get(grid.section.get_absolute_url()).content.decode()
    assert reverse("articles:section_feed", args=[grid.section.slug]) in section_page
    assert reverse("articles:section_feed_atom", args=[grid.section.slug]) in section_page
    author_page = client.get(grid.author.get_absolute_url()).content.decode()
    assert reverse("articles:author_feed", args=[grid.author.slug]) in author_page
    tag = grid.published.tags.get()
    assert (
        reverse("articles:tag_feed_atom", args=[tag.slug])
        in client.get(tag.get_absolute_url()).content.decode()
    )


# The full story in each entry ---------------------------------------------------------

CONTENT_MODULE = "{http://purl.org/rss/1.0/modules/content/}encoded"
ATOM = "{http://www.w3.org/2005/Atom}"


def _entry_content(response, kind):
    """The story HTML of the feed's only entry, as the XML carries it."""
    root = ElementTree.fromstring(response.content)
    if kind == "rss":
        (item,) = root.iter("item")
        return item.find(CONTENT_MODULE).text
    (entry,) = root.iter(f"{ATOM}entry")
    content = entry.find(f"{ATOM}content")
    assert content.get("type") == "html"
    return content.text


STORY_BODY = (
    "<p>Ships &amp; ferries return: 3 &lt; 4.</p>"
    "<h2>At the quay</h2>"
    "<blockquote><p>We waited a week for this.</p></blockquote>"
    '<p>See <a href="/news/harbour-closed/">the closure</a>, '
    '<a href="../earlier/">an earlier report</a>, <a href="#at-the-quay">the quay</a> '
    'and <a href="https://port.example.org/times">the timetable</a>.</p>'
)


@pytest.mark.parametrize("kind", FEED_KINDS)
def test_entries_carry_the_whole_story_with_crossheads_quotes_and_absolute_links(client, kind):
    article = make_article(
        slug="harbour-reopens", headline="Harbour reopens", dek="Ships return.", body=STORY_BODY
    )
    url = reverse("articles:feed" if kind == "rss" else "articles:feed_atom")
    response, feed = _parse(client, url)

    html = _entry_content(response, kind)
    story = f"http://testserver{article.get_absolute_url()}"
    assert "<p>Ships &amp; ferries return: 3 &lt; 4.</p>" in html
    assert "<h2>At the quay</h2>" in html
    assert "<blockquote><p>We waited a week for this.</p></blockquote>" in html
    assert 'href="http://testserver/news/harbour-closed/"' in html
    assert 'href="http://testserver/news/earlier/"' in html
    assert f'href="{story}#at-the-quay"' in html
    assert 'href="https://port.example.org/times"' in html
    assert 'href="/' not in html and 'href="..' not in html and 'href="#' not in html
    # Feed readers see the same: the story as content, the standfirst as summary.
    (entry,) = feed.entries
    assert entry.summary == "Ships return."
    assert "<h2>At the quay</h2>" in entry.content[0].value


@pytest.mark.parametrize("kind", FEED_KINDS)
def test_story_text_in_feeds_is_sanitised_even_if_stored_dirty(client, kind):
    article = make_article(body="<p>Clean</p>")
    # A write that bypasses save() and its cleaning (a raw SQL fix, an old import).
    Article.objects.filter(pk=article.pk).update(
        body='<p onclick="steal()">Text</p><script>steal()</script>'
        '<a href="javascript:steal()">link</a><img src="x" onerror="steal()">'
    )
    url = reverse("articles:feed" if kind == "rss" else "articles:feed_atom")
    response, _ = _parse(client, url)

    html = _entry_content(response, kind)
    assert html.startswith("<p>Text</p>")
    for bad in ("onclick", "<script", "javascript:", "<img", "onerror"):
        assert bad not in html


def test_a_story_without_text_has_no_content_element(client):
    make_article(body="")
    rss, _ = _parse(client, reverse("articles:feed"))
    atom, _ = _parse(client, reverse("articles:feed_atom"))
    assert b"content:encoded" not in rss.content
    assert b"<content" not in atom.content


@pytest.mark.parametrize("kind", FEED_KINDS)
def test_editing_a_live_storys_text_refreshes_the_cached_feeds(client, kind):
    article = make_article(body="<p>First version.</p>")
    url = reverse("articles:feed" if kind == "rss" else "articles:feed_atom")
    assert client.get(url)["X-Cache"] == "miss"
    assert client.get(url)["X-Cache"] == "hit"

    article.body = "<p>Second version.</p>"
    article.save()

    response = client.get(url)
    assert response["X-Cache"] == "miss"
    assert _entry_content(response, kind) == "<p>Second version.</p>"


# No markup from a name, a headline or any other field --------------------------------

HOSTILE = "<img src=x onerror=alert(1)>"


def _all_strings(value):
    """Every string in what feedparser read: the feed's and each entry's fields."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _all_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _all_strings(item)


def test_no_feed_field_carries_markup_even_from_names_stored_as_typed(client):
    section = make_section(slug="s3")
    author, expert = make_author(slug="ana"), make_expert(slug="eve")
    article = make_article(section=section, authors=[author], quotes=[(expert, "Q")], tags=["t"])
    Correction.objects.create(article=article, text="Fixed.")
    # Stored as typed: rows from before names were cleaned, or written with update().
    Section.objects.update(name=f"S3 {HOSTILE}", description=f"Desk {HOSTILE}")
    Author.objects.update(name=f"Ana <b onmouseover=alert(1)>Ruiz</b>{HOSTILE}")
    Expert.objects.update(name=f"Eve {HOSTILE}")
    Tag.objects.update(name=f"Oslo {HOSTILE}")
    Article.objects.update(
        headline=f"Ferries <script>alert(1)</script>return {HOSTILE}",
        dek=f"Ships {HOSTILE} & boats",
    )
    Correction.objects.update(text=f"Fixed {HOSTILE}")
    urls = [reverse("articles:feed"), reverse("articles:feed_atom")]
    for owner, slug in (("section", "s3"), ("author", "ana"), ("tag", "t")):
        urls += [reverse(f"articles:{owner}_feed{kind}", args=[slug]) for kind in ("", "_atom")]

    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        raw = response.content.decode().lower()
        for live in ("<img", "&lt;img", "onerror", "onmouseover", "<script", "&lt;script"):
            assert live not in raw, (url, live)
        # Read as a feed reader does, without feedparser's own sanitising.
        feed = feedparser.parse(response.content, sanitize_html=False)
        assert feed.bozo == 0, (url, feed.get("bozo_exception"))
        for text in _all_strings([feed.feed, feed.entries]):
            assert "<img" not in text and "onerror" not in text and "<script" not in text, url
        for entry in feed.entries:
            assert entry.title == "Ferries return", url
            assert "<" not in entry.author and "<" not in entry.tags[0].term, url
            assert entry.summary == "Ships  &amp; boats", url
        assert "<" not in feed.feed.title, url


def test_every_feed_writes_through_the_generator_that_cleans_each_field():
    """A new feed, or a new field in one, is cleaned the day it is added."""

    def feed_views(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from feed_views(sub)

    for view in feed_views(feeds.ArticleFeed):
        assert issubclass(view.feed_type, feeds.PlainTextFeed), view
