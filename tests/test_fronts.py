"""The fronts: the home page and each section's page as the desk arranges them.

Placed stories lead in their order; only live ones show, so a scheduled story
takes its place at its minute and an unpublished one drops out by itself; the
places left go to the newest stories; the home page then has a block per
section. The page cache follows every change to what a front shows."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.fronts import BLOCK_SIZE, TOP_STORIES, front_page
from articles.models import Article, Front, Placement
from tests.factories import (
    ensure_roles,
    make_article,
    make_author,
    make_editor,
    make_in_role,
    make_reporter,
    make_section,
)
from tests.workflow_helpers import logged_in, submitted_form

pytestmark = pytest.mark.django_db

HOURS = timedelta(hours=1)


def home_front():
    return Front.objects.get(section=None)


def place(front, *stories, **fields):
    """Put ``stories`` on ``front`` in this order, after what is there."""
    start = front.placements.count() + 1
    return [
        Placement.objects.create(front=front, article=story, position=start + n, **fields)
        for n, story in enumerate(stories)
    ]


def newest(count, hours_ago=0, **fields):
    """``count`` live stories, the first the newest, an hour apart from ``hours_ago``."""
    now = timezone.now()
    return [
        make_article(
            headline=f"Newest {hours_ago + n}",
            published_at=now - (hours_ago + n + 1) * HOURS,
            **fields,
        )
        for n in range(count)
    ]


def headlines(front):
    return [teaser.headline for teaser in front.teasers]


def shown_on(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response, response.content.decode()


# What a front shows ----------------------------------------------------------------


def test_the_placed_stories_lead_in_the_desks_order_and_the_newest_fill_the_rest():
    fill = newest(6)
    old = make_article(headline="Old but chosen", published_at=timezone.now() - 90 * HOURS)
    second = make_article(headline="Second choice", published_at=timezone.now() - 80 * HOURS)
    place(home_front(), old, second)

    front = front_page()

    assert headlines(front) == [
        "Old but chosen",
        "Second choice",
        "Newest 0",
        "Newest 1",
        "Newest 2",
    ]
    assert len(front.teasers) == 1 + TOP_STORIES
    assert [teaser.placed for teaser in front.teasers] == [True, True, False, False, False]
    assert front.lead.article == old
    assert {fill[3], fill[4], fill[5]}.isdisjoint(front.articles[: 1 + TOP_STORIES])


def test_the_order_numbers_not_the_order_of_adding_decide():
    first, second = newest(2)
    front = home_front()
    Placement.objects.create(front=front, article=first, position=5)
    Placement.objects.create(front=front, article=second, position=2)

    assert front_page().lead.article == second


def test_a_story_placed_twice_shows_once_at_its_first_place():
    story, other = newest(2)
    place(home_front(), story, other, story)

    assert headlines(front_page())[:2] == ["Newest 0", "Newest 1"]
    assert [teaser.article for teaser in front_page().teasers].count(story) == 1


def test_the_fronts_own_words_replace_the_storys_on_the_front_only(client):
    story = make_article(headline="Council approves budget", dek="After a long night.")
    place(home_front(), story, headline="Budget through at last", dek="The vote came at 3am.")

    _, home = shown_on(client, "/")
    _, page = shown_on(client, story.get_absolute_url())

    assert "Budget through at last" in home and "The vote came at 3am." in home
    assert "Council approves budget" not in home
    assert "Council approves budget" in page and "Budget through at last" not in page


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Article.Status.DRAFT},
        {"status": Article.Status.IN_REVIEW},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
    ids=["draft", "in-review", "scheduled"],
)
@pytest.mark.parametrize("reader", ["anonymous", "reporter", "editor"])
def test_a_placed_story_that_is_not_live_shows_to_nobody(fields, reader):
    author = make_author()
    hidden = make_article(headline="Not yet", authors=[author], **fields)
    live = make_article(headline="Live and placed")
    section_front = Front.objects.create(section=hidden.section)
    place(home_front(), hidden, live)
    place(section_front, hidden)
    client = Client()
    if reader == "reporter":  # the story's own reporter, who may preview it
        ensure_roles()
        author.user = make_in_role("reporter", "Reporter")
        author.save()
        client.force_login(author.user)
    elif reader == "editor":
        ensure_roles()
        client.force_login(make_editor())

    for url in ("/", hidden.section.get_absolute_url()):
        _, html = shown_on(client, url)
        assert "Not yet" not in html, url
    assert headlines(front_page())[0] == "Live and placed"


def test_a_scheduled_story_takes_its_place_at_its_minute_without_a_purge(client, monkeypatch):
    now = timezone.now()
    newest(5)
    embargoed = make_article(headline="Embargoed lead", published_at=now + 2 * HOURS)
    place(home_front(), embargoed)

    response, html = shown_on(client, "/")
    assert "Embargoed lead" not in html
    assert shown_on(client, "/")[0]["X-Cache"] == "hit"

    monkeypatch.setattr(timezone, "now", lambda: now + 2 * HOURS)
    response, html = shown_on(client, "/")
    assert response["X-Cache"] == "miss"
    assert response.context["front"].lead.article == embargoed


def test_an_unpublished_story_drops_off_the_front_by_itself_and_the_next_moves_up(client):
    stories = newest(6)
    lead, second = make_article(headline="Placed lead"), make_article(headline="Placed second")
    place(home_front(), lead, second)
    shown_on(client, "/")

    lead.status = Article.Status.DRAFT
    lead.save()

    response, html = shown_on(client, "/")
    assert response["X-Cache"] == "miss"
    assert "Placed lead" not in html
    assert headlines(response.context["front"])[:2] == ["Placed second", stories[0].headline]


def test_an_empty_front_shows_the_newest_stories_and_an_empty_site_says_so(client):
    _, html = shown_on(client, "/")
    assert "No stories yet." in html

    newest(3)
    assert headlines(front_page()) == ["Newest 0", "Newest 1", "Newest 2"]


def test_the_home_page_has_a_block_of_each_sections_latest_stories_below_the_top(client):
    world, science, empty = (make_section(name=n) for n in ("World", "Science", "Empty"))
    newest(1 + TOP_STORIES)  # the lead and top stories, in sections of their own
    world_stories = newest(BLOCK_SIZE + 1, hours_ago=10, section=world)
    science_story = make_article(
        headline="Glaciers", section=science, published_at=timezone.now() - 50 * HOURS
    )

    front = shown_on(client, "/")[0].context["front"]

    blocks = {block.section.name: block.articles for block in front.blocks}
    assert blocks["World"] == world_stories[:BLOCK_SIZE]  # the latest, newest first
    assert blocks["Science"] == [science_story]
    assert "Empty" not in blocks
    shown = {teaser.article for teaser in front.teasers}
    assert shown.isdisjoint(article for articles in blocks.values() for article in articles)
    assert empty.pk in front.section_pks  # a story moving there makes it a block


def test_a_section_front_leads_with_its_own_placements_then_lists_the_rest(client):
    section = make_section(name="Business")
    stories = newest(1 + TOP_STORIES + 3, section=section)
    elsewhere = make_article(headline="Elsewhere")
    chosen = stories[-1]
    place(Front.objects.create(section=section), chosen)

    response, html = shown_on(client, section.get_absolute_url())

    front = response.context["front"]
    assert front.lead.article == chosen
    assert [a.pk for a in response.context["articles"]] == [s.pk for s in stories[TOP_STORIES:-1]]
    assert "Elsewhere" not in html
    assert front_page().lead.article in (elsewhere, stories[0])  # the home page is its own


def test_a_section_without_a_front_leads_with_its_newest_story(client):
    section = make_section()
    stories = newest(2, section=section)
    response, _ = shown_on(client, section.get_absolute_url())
    assert response.context["front"].lead.article == stories[0]


# The page cache follows the front ----------------------------------------------------


@pytest.fixture
def cached_pages(client):
    section = make_section(name="World")
    stories = newest(8, section=section)
    placed = make_article(headline="On the front", section=section)
    place(home_front(), placed)
    urls = {
        "home": "/",
        "section": section.get_absolute_url(),
        "placed story": placed.get_absolute_url(),
        "other story": stories[-1].get_absolute_url(),
    }
    for url in urls.values():
        shown_on(client, url)
        assert shown_on(client, url)[0]["X-Cache"] == "hit", url
    return {"urls": urls, "placed": placed, "section": section, "stories": stories}


def _states(client, urls):
    return {name: client.get(url)["X-Cache"] for name, url in urls.items()}


def test_a_change_to_a_story_on_the_front_refreshes_the_front(client, cached_pages):
    placed = cached_pages["placed"]
    placed.headline = "On the front, rewritten"
    placed.save()

    response, html = shown_on(client, "/")
    assert response["X-Cache"] == "miss" and "On the front, rewritten" in html
    assert client.get(cached_pages["urls"]["other story"])["X-Cache"] == "hit"


def test_rearranging_the_front_refreshes_the_home_page_and_nothing_else(client, cached_pages):
    place(home_front(), cached_pages["stories"][-1], headline="Moved up by the desk")

    states = _states(client, cached_pages["urls"])
    assert states == {
        "home": "miss",
        "section": "hit",
        "placed story": "hit",
        "other story": "hit",
    }
    assert "Moved up by the desk" in client.get("/").content.decode()


def test_arranging_a_section_front_refreshes_that_section_only(client, cached_pages):
    front = Front.objects.create(section=cached_pages["section"])
    place(front, cached_pages["stories"][-1], headline="Section pick")

    states = _states(client, cached_pages["urls"])
    assert states["section"] == "miss" and states["home"] == "hit"
    assert "Section pick" in client.get(cached_pages["urls"]["section"]).content.decode()


def test_a_story_moving_to_another_section_refreshes_the_home_pages_blocks(client):
    world, science = make_section(name="World"), make_section(name="Science")
    newest(1 + TOP_STORIES)
    mover = make_article(
        headline="Moving story", section=world, published_at=timezone.now() - 40 * HOURS
    )
    shown_on(client, "/")

    mover.section = science
    mover.save()

    front = shown_on(client, "/")[0].context["front"]
    blocks = {block.section.name: block.articles for block in front.blocks}
    assert blocks == {"Science": [mover]}


# The admin ----------------------------------------------------------------------------


def test_editors_arrange_fronts_and_reporters_cannot(client):
    from django.contrib.auth.models import Group

    ensure_roles()
    editor, reporter = make_editor(), make_reporter()
    url = reverse("admin:articles_front_change", args=[home_front().pk])

    client.force_login(reporter)
    assert client.get(url).status_code == 403
    client.force_login(editor)
    assert client.get(url).status_code == 200
    assert Group.objects.get(name="Editor").permissions.filter(codename="change_banner").exists()


def test_the_home_front_cannot_be_deleted_but_a_sections_can(superuser_client):
    section_front = Front.objects.create(section=make_section())
    home = reverse("admin:articles_front_delete", args=[home_front().pk])
    section = reverse("admin:articles_front_delete", args=[section_front.pk])
    assert superuser_client.get(home).status_code == 403
    assert superuser_client.get(section).status_code == 200


def test_a_page_has_one_front():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        Front(section=None).validate_constraints()
    section = make_section()
    Front.objects.create(section=section)
    with pytest.raises(ValidationError):
        Front(section=section).validate_constraints()


def test_the_front_form_says_what_readers_see_now(superuser_client):
    scheduled = make_article(headline="Tomorrow", published_at=timezone.now() + 24 * HOURS)
    live = make_article(headline="Today")
    place(home_front(), scheduled, live)

    html = superuser_client.get(
        reverse("admin:articles_front_change", args=[home_front().pk])
    ).content.decode()

    assert "<strong>Leads:</strong> Today <em>(placed by the desk)</em>" in html
    assert "Scheduled: takes its place at" in html


def front_url(front):
    return reverse("admin:articles_front_change", args=[front.pk])


def test_each_save_of_a_front_is_a_revision_and_history_brings_one_back():
    from reversion.models import Version

    editor = make_editor("olga")
    first, second = newest(2)
    front = home_front()
    place(front, first)
    client = logged_in(editor)
    form = client.get(front_url(front))
    data = submitted_form(form, form_id="front_form")
    data.update(
        {
            "placements-1-article": str(second.pk),
            "placements-1-position": "0",
            "placements-1-picture_focus_x": "0.5",
            "placements-1-picture_focus_y": "0.5",
        }
    )
    assert client.post(front_url(front), data).status_code == 302
    assert front_page().lead.article == second

    versions = Version.objects.get_for_object(front)
    # The arrangement as it stood before (made outside the admin), and the save.
    assert versions.count() == 2
    before = versions.last()
    assert (
        client.get(reverse("admin:articles_front_revision", args=[front.pk, before.pk])).status_code
        == 200
    )
    restore = submitted_form(
        client.get(reverse("admin:articles_front_revision", args=[front.pk, before.pk])),
        form_id="front_form",
    )
    response = client.post(
        reverse("admin:articles_front_revision", args=[front.pk, before.pk]), restore
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [p.article for p in home_front().placements.all()] == [first]
    assert front_page().lead.article == first


def test_a_front_saved_by_someone_else_since_the_form_opened_is_not_overwritten():
    alice, olga = make_editor("alice"), make_editor("olga")
    olga.first_name, olga.last_name = "Olga", "Desk"
    olga.save()
    story, other = newest(2)
    front = home_front()
    (placement,) = place(front, story)
    alice_client, olga_client = logged_in(alice), logged_in(olga)
    alice_form = alice_client.get(front_url(front))
    olga_form = olga_client.get(front_url(front))

    olga_data = submitted_form(olga_form, form_id="front_form")
    olga_data["placements-0-headline"] = "Olga's words"
    assert olga_client.post(front_url(front), olga_data).status_code == 302

    alice_data = submitted_form(alice_form, form_id="front_form")
    alice_data["placements-0-headline"] = "Alice's words"
    response = alice_client.post(front_url(front), alice_data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Olga Desk saved this front at" in html
    assert "Alice&#x27;s words" in html  # what she typed is still there
    placement.refresh_from_db()
    assert placement.headline == "Olga's words"

    # Saving again, knowing, replaces Olga's arrangement (hers stays in the history).
    again = submitted_form(response, form_id="front_form")
    assert alice_client.post(front_url(front), again).status_code == 302
    placement.refresh_from_db()
    assert placement.headline == "Alice's words"


def test_the_version_check_holds_outside_the_admin_too():
    from articles.publishing.roles import StaleCopy

    front = home_front()
    mine, theirs = Front.objects.get(pk=front.pk), Front.objects.get(pk=front.pk)
    theirs.save()
    with pytest.raises(StaleCopy):
        mine.save()
