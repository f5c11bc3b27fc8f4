"""The editors' desk: the publish checklist on every publishing path, the
dashboard, and the conveniences of the article form and list.

Everything is driven through the admin with logged-in reporters and editors,
through the import commands and through the model's own publishing methods.
"""

import contextlib
import json
import re
from datetime import timedelta
from io import BytesIO, StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from articles.models import Article, Correction, LiveCoverage
from articles.publishing.checklist import NotReadyToPublish
from articles.publishing.transitions import checklist_for, schedule
from tests.factories import (
    make_article,
    make_author,
    make_editor,
    make_expert,
    make_reporter,
    make_section,
    make_staff,
)
from tests.workflow_helpers import (
    ADD_URL,
    CHANGELIST_URL,
    change_url,
    form_data,
    local_fields,
    logged_in,
    management,
    new_story_data,
)

pytestmark = pytest.mark.django_db


def messages_of(response):
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def editor():
    return make_editor("eddie")


# The publish checklist ---------------------------------------------------------------

# Each rule: what the story lacks, and the words that name it in the refusal.
RULES = {
    "section": ({"section": None}, "no section"),
    "byline": ({"authors": ()}, "no byline"),
    "standfirst": ({"dek": ""}, "no standfirst"),
    "body": ({"body": "<p> &nbsp; </p>"}, "text is empty"),
    "alt text": ({"hero_alt": " "}, "hero image has no alt text"),
}


def ready_story(**fields):
    """A draft that passes the checklist, unless ``fields`` take something away."""
    defaults = {
        "headline": "Night ferry returns",
        "dek": "The overnight boat sails again after two years.",
        "body": "<p>The overnight ferry sailed again on Monday.</p>",
        "status": Article.Status.DRAFT,
        "published_at": None,
        "authors": [make_author()],
        "hero_image": "heroes/ferry.jpg",
        "hero_alt": "A white ferry at a stone quay.",
        "section": make_section(),
    }
    return make_article(**{**defaults, **fields})


def assert_unchanged(article):
    """Nothing of the refused attempt reached the database."""
    stored = Article.objects.get(pk=article.pk)
    assert (stored.status, stored.published_at, stored.headline, stored.version) == (
        article.status,
        article.published_at,
        article.headline,
        article.version,
    )


def test_a_complete_story_passes_and_each_missing_item_is_named():
    assert checklist_for(ready_story()).ready
    empty = make_article(
        section=None,
        dek="",
        body="",
        hero_image="heroes/x.jpg",
        hero_alt="",
        status=Article.Status.DRAFT,
    )
    problems = [str(problem) for problem in checklist_for(empty).problems]
    assert len(problems) == len(RULES)
    for _, words in RULES.values():
        assert any(words in problem for problem in problems), words


def test_a_story_without_a_hero_image_needs_no_alt_text():
    assert checklist_for(ready_story(hero_image="", hero_alt="")).ready


FORM_PATHS = {
    "status set to published": lambda a: {"status": Article.Status.PUBLISHED},
    "publish-now button": lambda a: {"_publish_now": "Publish now"},
    "scheduled for later": lambda a: {
        "status": Article.Status.PUBLISHED,
        **local_fields(timezone.now() + timedelta(hours=3)),
    },
}


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("path", FORM_PATHS)
def test_change_form_refuses_to_publish_an_incomplete_story_and_saves_nothing(editor, rule, path):
    missing, words = RULES[rule]
    story = ready_story(**missing)
    data = form_data(story, headline="A headline typed in the refused attempt")
    data.update(FORM_PATHS[path](story))

    response = logged_in(editor).post(change_url(story), data)

    assert response.status_code == 200
    form = response.context["adminform"].form
    top = " ".join(form.non_field_errors())
    assert "was not published and nothing was saved" in top
    assert words in top
    assert_unchanged(story)
    # What was typed is still in the form, ready to fix and publish again.
    assert "A headline typed in the refused attempt" in response.content.decode()


@pytest.mark.parametrize("rule", ["standfirst", "alt text"])
def test_moving_the_time_of_a_scheduled_story_runs_the_checklist(editor, rule):
    missing, words = RULES[rule]
    story = ready_story(
        status=Article.Status.PUBLISHED, published_at=timezone.now() + timedelta(days=1), **missing
    )
    data = form_data(story, **local_fields(timezone.now() + timedelta(days=2)))

    response = logged_in(editor).post(change_url(story), data)

    assert response.status_code == 200
    assert words in " ".join(response.context["adminform"].form.non_field_errors())
    assert_unchanged(story)


def test_every_missing_item_is_named_at_once_and_marked_on_its_field(editor):
    story = ready_story(section=None, dek="", hero_alt="", authors=())

    response = logged_in(editor).post(change_url(story), form_data(story, _publish_now="1"))

    form = response.context["adminform"].form
    top = " ".join(form.non_field_errors())
    for words in ("no section", "no byline", "no standfirst", "no alt text"):
        assert words in top
    assert "text is empty" not in top
    assert set(form.errors) >= {"section", "dek", "hero_alt"}


def test_the_fixed_story_publishes_from_the_same_form(editor, client):
    story = ready_story(dek="")
    editor_client = logged_in(editor)
    refused = editor_client.post(change_url(story), form_data(story, _publish_now="1"))
    assert refused.status_code == 200

    response = editor_client.post(
        change_url(story), form_data(story, dek="Written after the refusal.", _publish_now="1")
    )

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.is_published and story.dek == "Written after the refusal."
    assert client.get(story.get_absolute_url()).status_code == 200


def test_a_byline_added_in_the_same_form_counts_for_the_checklist(editor):
    story = ready_story(authors=())
    author = make_author(name="Tomás Okafor")
    data = form_data(
        story,
        _publish_now="1",
        **management("bylines", total=1),
        **{"bylines-0-author": str(author.pk), "bylines-0-position": "0"},
    )

    response = logged_in(editor).post(change_url(story), data)

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.is_published and story.ordered_bylines() == [author]


def test_editing_a_live_story_is_not_a_publication(editor):
    # Published with "Publish now": its time has microseconds the form does not show.
    live = ready_story(status=Article.Status.PUBLISHED, published_at=timezone.now(), authors=())

    response = logged_in(editor).post(change_url(live), form_data(live, headline="Fixed typo"))

    assert response.status_code == 302
    live.refresh_from_db()
    assert live.headline == "Fixed typo" and live.is_published


def media_files():
    return {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}


def hero_upload():
    buffer = BytesIO()
    Image.new("RGB", (64, 48), "navy").save(buffer, "JPEG")
    return SimpleUploadedFile("harbour.jpg", buffer.getvalue(), "image/jpeg")


@pytest.mark.parametrize("story", ["new", "existing"])
def test_a_refused_publication_keeps_no_hero_image_uploaded_with_it(editor, story):
    section, author = make_section(), make_author()
    refused_changes = {
        "headline": "Typed before the refusal",
        "dek": "",
        "hero_image": hero_upload(),
        "_publish_now": "Publish now",
    }
    if story == "new":
        url = ADD_URL
        data = new_story_data(
            section,
            **management("bylines", total=1),
            **{"bylines-0-author": str(author.pk), "bylines-0-position": "0"},
            **refused_changes,
        )
    else:
        draft = ready_story(section=section, authors=[author], hero_image="", hero_alt="")
        url = change_url(draft)
        data = form_data(draft, **refused_changes)
    before = media_files()

    response = logged_in(editor).post(url, data)

    assert response.status_code == 200
    top = " ".join(response.context["adminform"].form.non_field_errors())
    assert "no standfirst" in top and "hero image has no alt text" in top
    assert "Typed before the refusal" in response.content.decode()
    assert media_files() == before  # neither the upload nor renditions of it
    assert not Article.objects.filter(headline="Typed before the refusal").exists()


def test_a_new_story_published_at_once_keeps_its_hero_image(editor, client):
    author = make_author()
    data = new_story_data(
        make_section(),
        **management("bylines", total=1),
        **{"bylines-0-author": str(author.pk), "bylines-0-position": "0"},
        hero_image=hero_upload(),
        hero_alt="The harbour at dawn.",
        _publish_now="Publish now",
    )

    response = logged_in(editor).post(ADD_URL, data)

    assert response.status_code == 302
    story = Article.objects.get(slug="ferry-strike-ends")
    assert story.is_published and story.version == 1
    assert Path(story.hero_image.path).is_file()
    assert "The harbour at dawn." in client.get(story.get_absolute_url()).content.decode()


@pytest.mark.parametrize("rule", RULES)
def test_publish_now_action_refuses_each_incomplete_story_by_name(editor, rule):
    missing, words = RULES[rule]
    incomplete = ready_story(headline="Incomplete story", **missing)
    complete = ready_story(headline="Complete story")

    response = logged_in(editor).post(
        CHANGELIST_URL,
        {"action": "publish_now", "_selected_action": [incomplete.pk, complete.pk]},
        follow=True,
    )

    errors = [text for level, text in messages_of(response) if level == "error"]
    assert len(errors) == 1
    assert "“Incomplete story” was not published" in errors[0] and words in errors[0]
    assert_unchanged(incomplete)
    complete.refresh_from_db()
    assert complete.is_published


@pytest.mark.parametrize("rule", RULES)
def test_scheduling_through_the_model_is_refused_and_changes_nothing(editor, rule):
    missing, words = RULES[rule]
    story = ready_story(**missing)

    with pytest.raises(NotReadyToPublish) as refusal:
        schedule(story, timezone.now() + timedelta(hours=1), by=editor)

    assert any(words in message for message in refusal.value.messages)
    assert_unchanged(Article.objects.get(pk=story.pk))
    assert Article.objects.get(pk=story.pk).status == Article.Status.DRAFT


# Import: a ninjs story, complete, and the same with one item taken out.
IMPORT_RULES = {
    "section": lambda doc: doc.pop("subjects"),
    "byline": lambda doc: doc.pop("people"),
    "standfirst": lambda doc: doc.pop("descriptions"),
    "body": lambda doc: doc.update(bodies=[{"contenttype": "text/html", "value": "<p></p>"}]),
}
IMPORT_WORDS = {"section": "no section", "byline": "no byline", "standfirst": "no standfirst"}


def ninjs_story(section):
    return {
        "uri": "urn:uuid:0b0d2a8e-36b4-4a51-9a36-6a3c3f5d1e20",
        "type": "text",
        "headlines": [{"role": "main", "value": "Harbour reopens"}],
        "descriptions": [{"role": "summary", "value": "Boats are back after the storm."}],
        "bodies": [{"contenttype": "text/html", "value": "<p>The harbour reopened.</p>"}],
        "firstcreated": "2024-03-02T09:00:00+00:00",
        "people": [{"name": "Ana Ruiz", "rel": "author"}],
        "subjects": [{"rel": "section", "literal": section.slug, "name": section.name}],
    }


def import_ninjs(tmp_path, document, editor):
    path = tmp_path / "story.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    out, err = StringIO(), StringIO()
    with contextlib.suppress(CommandError):  # a refused story makes the command fail
        call_command(
            "import_ninjs",
            str(path),
            *("--status", "published", "--editor", editor.username),
            stdout=out,
            stderr=err,
        )
    return out.getvalue(), err.getvalue()


def test_a_complete_story_imported_as_published_goes_live(tmp_path, client, editor):
    out, err = import_ninjs(tmp_path, ninjs_story(make_section()), editor)

    assert "created" in out, err
    article = Article.objects.get()
    assert article.is_published and article.version == 1  # created, then published
    assert client.get(article.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("rule", IMPORT_RULES)
def test_import_as_published_refuses_an_incomplete_story_and_writes_nothing(tmp_path, rule, editor):
    document = ninjs_story(make_section())
    IMPORT_RULES[rule](document)

    out, err = import_ninjs(tmp_path, document, editor)

    assert "not imported: “Harbour reopens” was not published" in err
    assert IMPORT_WORDS.get(rule, "text is empty") in err
    assert not Article.objects.exists()


# Warnings do not block.


def test_long_headline_and_standfirst_publish_with_a_warning_on_the_form(editor):
    story = ready_story(headline="H" * 111, dek="D" * 201)

    response = logged_in(editor).post(
        change_url(story), form_data(story, _publish_now="1"), follow=True
    )

    story.refresh_from_db()
    assert story.is_published
    warnings = [text for level, text in messages_of(response) if level == "warning"]
    assert any("headline is 111 characters" in text for text in warnings)
    assert any("standfirst is 201 characters" in text for text in warnings)


def test_long_headline_publishes_with_a_warning_from_the_action(editor):
    story = ready_story(headline="H" * 120)

    response = logged_in(editor).post(
        CHANGELIST_URL, {"action": "publish_now", "_selected_action": [story.pk]}, follow=True
    )

    story.refresh_from_db()
    assert story.is_published
    assert ("warning", f"“{story}”: " + checklist_for(story).warnings[0]) in messages_of(response)


def test_headline_and_standfirst_at_the_limits_give_no_warning():
    assert checklist_for(ready_story(headline="H" * 110, dek="D" * 200)).warnings == ()


# The dashboard -------------------------------------------------------------------------

ADMIN_INDEX = reverse("admin:index")


def desk(user):
    """The dashboard's lists as ``user`` sees them: ``{key: [headline, …]}``."""
    response = logged_in(user).get(ADMIN_INDEX)
    assert response.status_code == 200
    return {
        desk_list.key: [row.article.headline for row in desk_list.rows]
        for desk_list in response.context["desk_lists"]
    }


@pytest.fixture
def reporter():
    return make_reporter("rita", "Rita Reporter")


@pytest.fixture
def day(reporter):
    """A desk's day: one story of each kind by Rita, and one by someone else."""
    now = timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    other = make_author(name="Otto Other")
    stories = {}
    for owner, author in (("rita", reporter.author), ("otto", other)):
        stories[owner] = {
            "draft": make_article(
                headline=f"{owner} draft", status=Article.Status.DRAFT, authors=[author]
            ),
            "review": make_article(
                headline=f"{owner} in review", status=Article.Status.IN_REVIEW, authors=[author]
            ),
            "scheduled": make_article(
                headline=f"{owner} scheduled",
                published_at=now + timedelta(hours=2),
                authors=[author],
            ),
            "today": make_article(
                headline=f"{owner} today",
                published_at=midnight + timedelta(seconds=1),
                authors=[author],
            ),
            "yesterday": make_article(
                headline=f"{owner} yesterday",
                published_at=midnight - timedelta(minutes=1),
                authors=[author],
            ),
        }
        Correction.objects.create(article=stories[owner]["yesterday"], text="Fixed a name.")
        old = make_article(
            headline=f"{owner} corrected long ago",
            published_at=now - timedelta(days=20),
            authors=[author],
        )
        Correction.objects.create(article=old, text="Old.", created_at=now - timedelta(days=8))
    return stories


def test_a_reporter_sees_their_own_work_on_the_dashboard(reporter, day):
    lists = desk(reporter)

    assert lists == {
        "live": [],
        "drafts": ["rita draft"],
        "scheduled": ["rita scheduled"],
        "today": ["rita today"],
        "corrected": ["rita yesterday"],
    }


def test_an_editor_sees_the_desks_work_and_what_waits_for_review(editor, day):
    lists = desk(editor)

    assert set(lists["drafts"]) == {"rita draft", "otto draft"}
    assert set(lists["review"]) == {"rita in review", "otto in review"}
    assert set(lists["scheduled"]) == {"rita scheduled", "otto scheduled"}
    assert set(lists["today"]) == {"rita today", "otto today"}
    assert set(lists["corrected"]) == {"rita yesterday", "otto yesterday"}


def test_scheduled_stories_come_soonest_first_with_the_time_each_goes_live(editor):
    now = timezone.now()
    later = make_article(headline="Later", published_at=now + timedelta(days=2))
    sooner = make_article(headline="Sooner", published_at=now + timedelta(hours=1))

    response = logged_in(editor).get(ADMIN_INDEX)

    scheduled = next(d for d in response.context["desk_lists"] if d.key == "scheduled")
    assert [(row.article, row.when) for row in scheduled.rows] == [
        (sooner, sooner.published_at),
        (later, later.published_at),
    ]
    html = response.content.decode()
    assert f'datetime="{timezone.localtime(sooner.published_at).isoformat()}"' in html


def test_a_draft_shows_when_it_was_started_beside_its_last_change(editor):
    draft = make_article(headline="Slow burn", status=Article.Status.DRAFT)
    started = timezone.now() - timedelta(days=3)
    Article.objects.filter(pk=draft.pk).update(created_at=started)

    response = logged_in(editor).get(ADMIN_INDEX)

    drafts = next(d for d in response.context["desk_lists"] if d.key == "drafts")
    assert drafts.when_label == "Started"
    assert [row.when for row in drafts.rows] == [started]


def test_the_change_form_shows_the_whole_headline_and_slug(editor):
    story = make_article(headline="A headline long enough to overflow the admin's narrow box")

    html = logged_in(editor).get(change_url(story)).content.decode()

    for field in ("headline", "slug"):
        tag = re.search(rf'<input[^>]*name="{field}"[^>]*>', html).group(0)
        assert "vLargeTextField" in tag, tag


def test_review_list_shows_the_longest_wait_first(editor):
    first = make_article(headline="Waiting longest", status=Article.Status.IN_REVIEW)
    make_article(headline="Just sent", status=Article.Status.IN_REVIEW)
    Article.objects.filter(pk=first.pk).update(updated_at=timezone.now() - timedelta(hours=5))

    assert desk(editor)["review"] == ["Waiting longest", "Just sent"]


def test_each_row_links_to_the_story_and_names_bylines_section_and_last_editor(editor):
    story = ready_story(headline="Harbour reopens", authors=[make_author(name="Ana Ruiz")])
    story.section.name = "Islands"
    story.section.save()
    editor.first_name, editor.last_name = "Eddie", "Editor"
    editor.save()
    client = logged_in(editor)
    client.post(change_url(story), form_data(story, headline="Harbour reopens at last"))

    html = client.get(ADMIN_INDEX).content.decode()

    section = html[html.index('id="desk-drafts"') :]
    section = section[: section.index("</section>")]
    assert f'href="{change_url(story)}">Harbour reopens at last</a>' in section
    assert "Ana Ruiz" in section and "Islands" in section and "by Eddie Editor" in section


def test_staff_without_articles_get_the_plain_admin_index():
    from django.contrib.auth.models import Group

    tag_manager = make_staff("tilda")
    tag_manager.groups.add(Group.objects.get(name="Tag manager"))

    response = logged_in(tag_manager).get(ADMIN_INDEX)

    assert response.status_code == 200
    assert 'id="desk"' not in response.content.decode()


@pytest.mark.parametrize("rows", [1, 12])
def test_the_dashboard_costs_the_same_queries_for_one_story_or_many(
    editor, rows, django_assert_num_queries
):
    now = timezone.now()
    section, author = make_section(), make_author()
    for n in range(rows):
        for fields in (
            {"status": Article.Status.DRAFT},
            {"status": Article.Status.IN_REVIEW},
            {"published_at": now + timedelta(hours=n + 1)},
            {
                "published_at": now + timedelta(hours=n + 1),
                "embargoed_until": now + timedelta(hours=1),
            },
            {"published_at": now - timedelta(seconds=n + 1)},
        ):
            story = make_article(section=section, authors=[author], **fields)
        Correction.objects.create(article=story, text="Fixed.")
        LiveCoverage.objects.create(article=story)
    client = logged_in(editor)
    client.get(ADMIN_INDEX)  # sessions, permissions and content types warm up

    # Session, user, permissions; then each of the seven lists (drafts, review,
    # scheduled, today, corrected, live coverage, embargoes): stories, bylines;
    # then the translations: those that need work, and originals missing a language.
    with django_assert_num_queries(21):
        assert client.get(ADMIN_INDEX).status_code == 200


# The article form -----------------------------------------------------------------------


def test_form_shows_length_public_address_and_quick_links_for_a_draft(editor):
    story = ready_story(body="<p>" + "word " * 460 + "</p><h2>More</h2><p>two words</p>")
    assert (story.word_count, story.reading_minutes) == (463, 3)

    html = logged_in(editor).get(change_url(story)).content.decode()

    assert "463 words, about 3 minutes to read" in html
    assert "Not public" in html and story.get_absolute_url() in html
    assert "/preview/" in html  # the signed share link
    assert reverse("admin:articles_article_history", args=[story.pk]) in html


def test_form_says_when_a_scheduled_story_goes_live(editor):
    when = timezone.now() + timedelta(days=1)
    story = ready_story(status=Article.Status.PUBLISHED, published_at=when)

    html = logged_in(editor).get(change_url(story)).content.decode()

    at = timezone.localtime(when).strftime("%H:%M")
    assert "Scheduled</span> for " + at in html


def test_form_links_a_live_story_to_its_public_page(editor, client):
    story = make_article(authors=[make_author()])

    html = logged_in(editor).get(change_url(story)).content.decode()

    assert "Live</span> since" in html
    assert f'<a href="{story.get_absolute_url()}">Public page</a>' in html
    assert client.get(story.get_absolute_url()).status_code == 200


def test_empty_body_counts_no_words():
    assert (Article(body="").word_count, Article(body="").reading_minutes) == (0, 0)


def test_inlines_come_in_newsroom_order_with_help_for_journalists(editor):
    story = make_article(authors=[make_author()])

    response = logged_in(editor).get(change_url(story))

    prefixes = [f.formset.prefix for f in response.context["inline_admin_formsets"]]
    assert prefixes == ["bylines", "quotes", "corrections"]
    html = response.content.decode()
    assert "Add them with the +" in html and "lowest number first" in html


def test_choosing_an_expert_shows_their_title_and_affiliation(editor):
    expert = make_expert(name="Dr Aino Virtanen", title="sea ice researcher", affiliation="FMI")
    client = logged_in(editor)

    response = client.get(
        reverse("admin:autocomplete"),
        {
            "term": "aino",
            "app_label": "articles",
            "model_name": "expertquote",
            "field_name": "expert",
        },
    )

    assert response.json()["results"] == [
        {"id": str(expert.pk), "text": "Dr Aino Virtanen (sea ice researcher, FMI)"}
    ]


def test_expert_page_in_the_admin_lists_every_story_that_quotes_them(editor):
    expert = make_expert()
    quoting = make_article(headline="Ice melts early", quotes=[(expert, "It is early.")])
    draft = make_article(
        headline="Ice draft", status=Article.Status.DRAFT, quotes=[(expert, "Later.")]
    )
    make_article(headline="Not quoting")

    html = (
        logged_in(editor)
        .get(reverse("admin:articles_expert_change", args=[expert.pk]))
        .content.decode()
    )

    assert f'href="{change_url(quoting)}">Ice melts early</a> (Live)' in html
    assert f'href="{change_url(draft)}">Ice draft</a> (Draft)' in html
    assert "Not quoting" not in html


# The article list -----------------------------------------------------------------------


def test_changelist_columns_show_state_badges_section_bylines_and_last_editor(editor):
    now = timezone.now()
    ready_story(headline="A draft")
    make_article(headline="In review", status=Article.Status.IN_REVIEW)
    make_article(headline="Later", published_at=now + timedelta(days=1))
    live = make_article(headline="Live", authors=[make_author(name="Ana Ruiz")])
    editor.first_name, editor.last_name = "Eddie", "Editor"
    editor.save()
    client = logged_in(editor)
    client.post(change_url(live), form_data(live, dek="Edited."))

    html = client.get(CHANGELIST_URL).content.decode()

    for state, text in [
        ("live", "Live"),
        ("scheduled", "Scheduled"),
        ("review", "In review"),
        ("draft", "Draft"),
    ]:
        assert f'<span class="state-badge state-badge--{state}">{text}' in html
    assert "Ana Ruiz" in html and live.section.name in html
    assert "by Eddie Editor" in html
    assert "articles/desk.css" in html


def headlines(response):
    return [article.headline for article in response.context["cl"].result_list]


def test_changelist_is_newest_first_with_undated_stories_on_top(editor):
    now = timezone.now()
    make_article(headline="Old", published_at=now - timedelta(days=3))
    make_article(headline="New", published_at=now - timedelta(hours=1))
    make_article(headline="Undated draft", status=Article.Status.DRAFT, published_at=None)

    assert headlines(logged_in(editor).get(CHANGELIST_URL)) == ["Undated draft", "New", "Old"]


def test_changelist_filters_mine_state_section_author_and_tag(reporter, editor):
    section = make_section()
    make_article(headline="Mine", authors=[reporter.author], section=section)
    other_author = make_author()
    theirs = make_article(headline="Theirs", authors=[other_author], tags=["Ice"])
    make_article(headline="Scheduled", published_at=timezone.now() + timedelta(hours=1))
    reporter.user_permissions.add(*Permission.objects.filter(codename="publish_article"))
    client = logged_in(editor)

    assert headlines(logged_in(reporter).get(CHANGELIST_URL, {"mine": "yes"})) == ["Mine"]
    assert headlines(client.get(CHANGELIST_URL, {"mine": "yes"})) == []
    assert headlines(client.get(CHANGELIST_URL, {"state": "scheduled"})) == ["Scheduled"]
    assert headlines(client.get(CHANGELIST_URL, {"section__id__exact": section.pk})) == ["Mine"]
    assert headlines(client.get(CHANGELIST_URL, {"authors__id__exact": other_author.pk})) == [
        "Theirs"
    ]
    assert headlines(client.get(CHANGELIST_URL, {"tags__id__exact": theirs.tags.get().pk})) == [
        "Theirs"
    ]


@pytest.mark.parametrize("term", ["harbour", "boats are back", "quayside", "Lindqvist"], ids=str)
def test_changelist_search_covers_headline_standfirst_body_and_byline_names(editor, term):
    make_article(
        headline="Harbour reopens",
        dek="Boats are back.",
        body="<p>On the quayside, crowds.</p>",
        authors=[make_author(name="Maria Lindqvist"), make_author(name="Tomás Okafor")],
    )
    make_article(headline="Something else")

    assert headlines(logged_in(editor).get(CHANGELIST_URL, {"q": term})) == ["Harbour reopens"]


@pytest.mark.parametrize("rows", [1, 20])
def test_the_changelist_costs_the_same_queries_for_one_story_or_twenty(
    editor, rows, django_assert_num_queries
):
    section = make_section()
    for _ in range(rows):
        make_article(section=section, authors=[make_author(), make_author()], tags=["Ice"])
    client = logged_in(editor)
    client.get(CHANGELIST_URL)

    # Session, user, permissions, the filters' choices, the count, the page, bylines.
    with django_assert_num_queries(15):
        assert client.get(CHANGELIST_URL).status_code == 200
