"""The demo content (``manage.py load_demo``): what `make run` shows a new install."""

import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from articles import demo
from articles.demo import illustrations
from articles.models import (
    Article,
    Author,
    Banner,
    Byline,
    Correction,
    Expert,
    ExpertQuote,
    Front,
    Section,
    Tag,
)
from tests.factories import make_staff

real_draw = illustrations.draw

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_pictures(monkeypatch):
    """The demo's illustrations drawn small: these tests are about what the demo
    loads, not about pictures, and full-size ones cost a minute of renditions.
    (``test_the_demo_stories_have_their_drawn_pictures`` draws them full size.)"""
    from PIL import Image

    def small(motif, seed, size=illustrations.LANDSCAPE):
        buffer = io.BytesIO()
        Image.new("RGB", (size[0] // 25, size[1] // 25), "#5d8aa8").save(buffer, "JPEG")
        return buffer.getvalue()

    monkeypatch.setattr(illustrations, "draw", small)


def load_demo():
    call_command("load_demo", verbosity=0)


def everything():
    """Every row load_demo writes, in a comparable form."""
    models = [Section, Author, Expert, Article, Byline, ExpertQuote, Correction, Tag]
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in models}
    rows["tagged"] = list(Article.tags.through.objects.order_by("pk").values())
    return rows


def test_a_second_run_changes_nothing_even_days_later(client, monkeypatch):
    load_demo()
    first = everything()
    assert len(first["Article"]) == len(demo.ARTICLES) + len(demo.DESK_ARTICLES)

    load_demo()
    assert everything() == first
    for article in Article.objects.published():
        assert client.get(article.get_absolute_url()).status_code == 200

    later = timezone.now() + timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: later)
    load_demo()
    assert everything() == first


def test_the_demo_has_stories_in_every_state():
    load_demo()
    assert Article.objects.drafts().count() == 2
    assert Article.objects.in_review().count() == 2
    assert Article.objects.scheduled().count() == 2
    assert Article.objects.published().count() == len(demo.ARTICLES)


def test_scheduled_stories_go_live_at_their_local_time_on_the_next_day():
    before = timezone.localtime()
    load_demo()
    tomorrow = before.date() + timedelta(days=1)
    times = [
        timezone.localtime(article.published_at)
        for article in Article.objects.scheduled().order_by("published_at")
    ]
    assert [(t.date(), t.strftime("%H:%M")) for t in times] == [
        (tomorrow, "07:00"),
        (tomorrow, "18:00"),
    ]


def test_every_list_of_the_editors_desk_shows_demo_stories(client):
    load_demo()
    client.force_login(make_staff("chief", superuser=True))

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    lists = {desk_list.key: desk_list.rows for desk_list in response.context["desk_lists"]}
    assert set(lists) == {"live", "drafts", "review", "scheduled", "today", "corrected"}
    empty = [key for key, rows in lists.items() if not rows]
    # "today" depends on the hour: stories loaded at 01:00 were published yesterday.
    if timezone.localtime().hour < 9:
        empty = [key for key in empty if key != "today"]
    assert empty == []
    html = response.content.decode()
    for article in Article.objects.exclude(pk__in=Article.objects.published()):
        assert article.headline in html


def test_the_demo_stories_are_written_for_this_project():
    """Sample stories read like news: no placeholder text, each with a crosshead."""
    for data in demo.ARTICLES + demo.DESK_ARTICLES:
        text = data["headline"] + data["dek"] + data["body"]
        assert "lorem" not in text.lower(), data["slug"]
        assert "<h2>" in data["body"], data["slug"]


# Unpublished demo stories never reach readers --------------------------------------------


def _public_urls():
    """Every public address the demo data gives rise to."""
    urls = [
        reverse("articles:home"),
        reverse("articles:authors"),
        reverse("articles:corrections"),
        reverse("articles:feed"),
        reverse("articles:feed_atom"),
        reverse("articles:sitemap"),
        reverse("articles:news_sitemap"),
    ]
    urls += [
        reverse("articles:sitemap_part", kwargs={"section": name})
        for name in ("articles", "sections", "authors", "tags", "experts")
    ]
    owners = [
        ("section", Section.objects.values_list("slug", flat=True)),
        ("author", Author.objects.values_list("slug", flat=True)),
        ("tag", Tag.objects.values_list("slug", flat=True)),
    ]
    for name, slugs in owners:
        for slug in slugs:
            urls += [
                reverse(f"articles:{name}", args=[slug]),
                reverse(f"articles:{name}_feed", args=[slug]),
                reverse(f"articles:{name}_feed_atom", args=[slug]),
            ]
    urls += [
        reverse("articles:expert", args=[slug])
        for slug in Expert.objects.values_list("slug", flat=True)
    ]
    return urls


def _hidden():
    return list(Article.objects.exclude(pk__in=Article.objects.published()))


def test_drafts_stories_in_review_and_scheduled_stories_stay_off_every_public_page(client):
    load_demo()
    hidden = _hidden()
    assert len(hidden) == len(demo.DESK_ARTICLES)
    # The pages do list stories: the live ones that share a tag with hidden ones.
    baltic = client.get(reverse("articles:tag", args=["baltic-sea"])).content.decode()
    assert "Fishing quotas set for next year" in baltic

    for url in _public_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        for article in hidden:
            assert article.headline not in page, (url, article.slug)
            assert article.slug not in page, (url, article.slug)
            for quote in article.quotes.all():
                assert quote.text not in page, (url, article.slug)


def test_unpublished_demo_stories_answer_404_to_readers(client):
    load_demo()
    for article in _hidden():
        assert client.get(article.get_absolute_url()).status_code == 404
        assert client.get(reverse("articles:article_ninjs", args=[article.slug])).status_code == 404


def test_search_finds_live_demo_stories_but_not_the_unpublished_ones(client):
    load_demo()
    search = reverse("articles:search")

    # A word of each hidden story's headline that no live story's headline has.
    live_words = {
        word.lower()
        for headline in Article.objects.published().values_list("headline", flat=True)
        for word in re.findall(r"\w+", headline)
    }
    for article in _hidden():
        word = next(
            w for w in re.findall(r"\w{5,}", article.headline) if w.lower() not in live_words
        )
        page = client.get(search, {"q": word}).content.decode()
        assert article.headline not in page, (word, article.slug)

    assert "Central bank holds interest rates steady" in (
        client.get(search, {"q": "central bank"}).content.decode()
    )


# Pictures, the front page and the banner ------------------------------------------------


def test_the_demo_stories_have_their_pictures_with_alt_text_and_focal_points():
    load_demo()
    live = Article.objects.published()
    without = [article.slug for article in live if not article.hero_image]
    # One story on purpose: it is shared with its generated card.
    assert without == ["hospital-waiting-lists-fall-for-first-time-in-years"]
    for article in live.exclude(hero_image=""):
        assert article.hero_alt and article.hero_credit, article.slug
    coastal = Article.objects.get(slug="coastal-towns-plan-for-higher-seas")
    assert coastal.hero_focus == (0.64, 0.2)


@pytest.mark.parametrize("motif", sorted(illustrations.MOTIFS))
def test_each_illustration_is_drawn_the_same_every_time(motif, small_pictures):
    # ``small_pictures`` replaced draw(); the real one is kept aside for this test.
    from PIL import Image

    size = illustrations.PORTRAIT if motif == "lighthouse" else illustrations.LANDSCAPE
    drawn = real_draw(motif, "a story", size)
    image = Image.open(io.BytesIO(drawn))
    assert image.size == size and image.format == "JPEG"
    assert len(image.convert("RGB").getcolors(1 << 20) or ()) > 50  # a picture, not a flat fill
    assert real_draw(motif, "a story", size) == drawn


def test_the_demo_front_page_leads_with_the_desks_choice_under_a_banner_for_a_day(client):
    before = timezone.now()
    load_demo()

    response = client.get("/")
    front = response.context["front"]
    assert front.lead.article.slug == demo.FRONT[0]["story"]
    assert front.lead.placed
    # The story scheduled for tomorrow is placed second: until then the others move up.
    assert "budget-vote-delayed-after-late-night-talks" in [t.article.slug for t in front.teasers]
    assert "Budget vote pushed back after talks run past midnight" in response.content.decode()
    business = client.get(reverse("articles:section", args=["business"])).context["front"]
    assert business.lead.article.slug == "port-volumes-recover-as-shipping-costs-fall"

    banner = Banner.objects.get()
    assert banner.link == "/news/budget-vote-delayed-after-late-night-talks/"
    assert timedelta(hours=23) < banner.ends_at - before <= timedelta(hours=24)
    assert banner.text in response.content.decode()


def test_a_front_an_editor_has_arranged_is_left_as_it_is(superuser_client):
    load_demo()
    front = Front.objects.get(section=None)
    front.placements.all().delete()
    front.save()  # as the admin does: the version moves on

    load_demo()

    assert not front.placements.exists()
    assert Banner.objects.count() == 1


def test_a_renamed_demo_story_is_not_loaded_again_and_its_old_address_moves_on(client):
    load_demo()
    story = Article.objects.get(slug="port-strike-called-off-after-pay-deal")
    story.slug = "dock-strike-called-off"
    story.save()
    count = Article.objects.count()

    load_demo()

    assert Article.objects.count() == count
    response = client.get("/news/port-strike-called-off-after-pay-deal/")
    assert response.status_code == 301 and response["Location"] == "/news/dock-strike-called-off/"


def test_a_renamed_demo_draft_is_known_by_its_guid():
    load_demo()
    draft = Article.objects.get(slug="night-bus-cuts-strain-city-coalition")
    draft.slug = "night-buses-coalition"  # not live: no redirect is left behind
    draft.save()
    count = Article.objects.count()

    load_demo()

    assert Article.objects.count() == count
    assert not Article.objects.filter(slug="night-bus-cuts-strain-city-coalition").exists()


def test_stories_loaded_before_demo_stories_had_a_guid_are_recognised_by_their_slug():
    load_demo()
    Article.objects.filter(slug="central-bank-holds-rates-steady").update(guid="urn:uuid:old")
    count = Article.objects.count()
    load_demo()
    assert Article.objects.count() == count


# Demo accounts: one per role, development settings only ------------------------------------


def load_demo_with_accounts():
    out = io.StringIO()
    call_command("load_demo", "--accounts", stdout=out)
    return out.getvalue()


def test_one_demo_account_per_role_with_its_password_printed(client):
    output = load_demo_with_accounts()

    for data in demo.ACCOUNTS:
        user = get_user_model().objects.get(username=data["username"])
        assert user.is_staff and list(user.groups.values_list("name", flat=True)) == [data["role"]]
        password = re.search(rf"{data['username']}\s+password: (\S+)", output).group(1)
        login = {"username": data["username"], "password": password, "next": "/admin/"}
        assert client.post(reverse("admin:login"), login).status_code == 302
        assert client.get(reverse("admin:index")).status_code == 200
        client.logout()
    reporter = get_user_model().objects.get(username="demo-reporter")
    assert reporter.author.slug == "hannah-reyes"  # their byline: the stories they may edit
    assert load_demo_with_accounts() == re.sub(r"\d+ new stories", "0 new stories", output)


def test_a_password_changed_since_is_not_printed_or_reset():
    load_demo_with_accounts()
    editor = get_user_model().objects.get(username="demo-editor")
    editor.set_password("a new one of my own")
    editor.save()

    output = load_demo_with_accounts()

    assert "demo-editor        password: (changed since the demo made it)" in output
    editor.refresh_from_db()
    assert editor.check_password("a new one of my own")


def test_demo_accounts_are_refused_without_the_development_settings(settings):
    settings.NEWSROOM_DEMO_ACCOUNTS = False
    with pytest.raises(CommandError, match="never with newsroom.settings.production"):
        call_command("load_demo", "--accounts", verbosity=0)
    assert not get_user_model().objects.filter(username__startswith="demo-").exists()
    assert not Article.objects.exists()


def test_the_production_settings_make_no_demo_accounts(tmp_path):
    from tests.test_production import manage, production_env

    result = manage(production_env(tmp_path), "load_demo", "--accounts")
    assert result.returncode != 0
    assert "never with newsroom.settings.production" in result.stderr


def test_the_demo_has_a_story_in_arabic_with_its_english_translation(client):
    load_demo()
    original = Article.objects.get(slug="tahliyat-al-miyah-sayf-al-sahil")
    english = Article.objects.get(slug="desalination-saves-the-coasts-summer")
    assert (original.language, english.language) == ("ar", "en")
    assert english.translation_of == original
    assert [a.name for a in english.translators] == ["Clara Hughes"]
    assert english.hero_image.name == original.hero_image.name
    page = client.get(original.get_absolute_url()).content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert f'href="{english.get_absolute_url()}" hreflang="en"' in page
    page = client.get(english.get_absolute_url()).content.decode()
    assert "Translated by" in page and "Clara Hughes" in page
