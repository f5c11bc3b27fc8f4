"""The quick form where reporters post a live story's entries, and the desk's
list of live coverage: who may do what, and every bad input refused whole."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from articles.models import LiveCoverage, LiveEntry
from tests.factories import make_author, make_editor, make_expert, make_reporter
from tests.live_helpers import add_entries, make_live_story
from tests.test_uploads import JPEG, REFUSED, stored_files
from tests.workflow_helpers import change_url, logged_in

pytestmark = pytest.mark.django_db


def quick_url(story):
    return reverse("admin:articles_livecoverage_quick", args=[story.pk])


def edit_url(entry):
    return reverse("admin:articles_livecoverage_entry", args=[entry.article_id, entry.pk])


def delete_url(entry):
    return reverse("admin:articles_livecoverage_delete", args=[entry.article_id, entry.pk])


@pytest.fixture
def rita():
    return make_reporter("rita", "Rita Reporter")


@pytest.fixture
def otto():
    return make_reporter("otto", "Otto Other")


@pytest.fixture
def editor():
    return make_editor("eddie")


@pytest.fixture
def story(rita, otto):
    return make_live_story(authors=[rita.author, otto.author])


def post(client, story, text="Polls have closed.", **fields):
    return client.post(quick_url(story), {"text": text, **fields})


def form_errors(response):
    form = response.context["form"]
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


# -- posting ---------------------------------------------------------------------


def test_a_reporter_with_a_byline_posts_an_entry_as_themselves(rita, story):
    client = logged_in(rita)
    page = client.get(quick_url(story))
    assert page.status_code == 200
    assert "autofocus" in page.content.decode()

    response = post(client, story, "Polls have closed.\n\nCounting starts at ten.")

    assert response.status_code == 302
    (entry,) = story.live_entries.all()
    assert entry.author == rita.author and entry.created_by == rita
    assert entry.text == "<p>Polls have closed.</p><p>Counting starts at ten.</p>"
    listed = client.get(quick_url(story)).content.decode()
    assert "Counting starts at ten." in listed and edit_url(entry) in listed


def test_entries_are_sanitised_like_the_body(rita, story):
    post(
        logged_in(rita),
        story,
        'Turnout <strong>high</strong> <a href="javascript:alert(1)" onclick="x()">here</a>'
        "<script>steal()</script>",
    )
    (entry,) = story.live_entries.all()
    assert "<strong>high</strong>" in entry.text
    assert "script" not in entry.text and "onclick" not in entry.text
    assert "javascript" not in entry.text


def test_a_reporter_without_a_byline_on_the_story_cannot_post(story):
    stranger = make_reporter("sam", "Sam Stranger")
    client = logged_in(stranger)

    assert client.get(quick_url(story)).status_code == 403
    assert post(client, story).status_code == 403
    assert not LiveEntry.objects.exists()


def test_an_entry_by_someone_without_a_byline_is_a_form_error(editor, story):
    outsider = make_author(name="Not On The Story")
    response = post(logged_in(editor), story, author=str(outsider.pk))

    assert response.status_code == 200
    assert "has no byline on this story" in form_errors(response)
    assert not LiveEntry.objects.exists()


def test_a_reporter_cannot_post_as_another_byline(rita, otto, story):
    response = post(logged_in(rita), story, author=str(otto.author.pk))
    assert "has no byline on this story" in form_errors(response)
    assert not LiveEntry.objects.exists()


def test_an_editor_posts_as_one_of_the_bylines(editor, otto, story):
    response = post(logged_in(editor), story, author=str(otto.author.pk))
    assert response.status_code == 302
    assert story.live_entries.get().author == otto.author


@pytest.mark.parametrize("text", ["", "   \n\n ", "<script>alert(1)</script>", "<p></p>"])
def test_an_empty_entry_is_a_form_error(rita, story, text):
    response = post(logged_in(rita), story, text)
    assert "Write the update before posting it." in form_errors(response)
    assert not LiveEntry.objects.exists()


def test_an_entry_on_a_closed_coverage_is_a_form_error_and_keeps_the_text(rita, story):
    LiveCoverage.objects.filter(article=story).update(ended_at=timezone.now())
    response = post(logged_in(rita), story, "Too late.")

    assert response.status_code == 200
    assert "This live coverage ended at" in form_errors(response)
    assert "Too late." in response.content.decode()  # still in the box
    assert not LiveEntry.objects.exists()


@pytest.mark.parametrize(
    "case", ["GIF with HTML appended", "PNG with PHP appended", "JPEG named .jpg.html"]
)
def test_a_hostile_upload_is_a_form_error_and_nothing_is_saved(rita, story, case):
    name, content, message = REFUSED[case]
    before = stored_files("live")
    response = post(
        logged_in(rita),
        story,
        picture=SimpleUploadedFile(name, content),
        picture_alt="A ballot box",
    )

    assert message in form_errors(response)
    assert not LiveEntry.objects.exists()
    assert stored_files("live") == before


def test_a_picture_needs_alt_text_and_a_quote_its_expert(rita, story):
    client = logged_in(rita)
    response = post(client, story, picture=SimpleUploadedFile("box.jpg", JPEG))
    assert "Say what the picture shows" in form_errors(response)
    response = post(client, story, quote_text="It is close.")
    assert "Choose who said it." in form_errors(response)
    assert not LiveEntry.objects.exists()

    expert = make_expert()
    response = post(
        client,
        story,
        picture=SimpleUploadedFile("box.jpg", JPEG),
        picture_alt="A ballot box",
        is_key_event="on",
        headline="Polls close",
    )
    assert response.status_code == 302
    entry = story.live_entries.get()
    assert entry.picture.name.startswith("live/") and entry.is_key_event
    response = post(client, story, expert=str(expert.pk), quote_text="It is close.")
    assert response.status_code == 302


# -- editing and deleting ------------------------------------------------------------


def test_a_reporter_edits_and_deletes_their_own_entries_only(rita, otto, story):
    (own,) = add_entries(story, 1, author=rita.author)
    (other,) = add_entries(story, 1, author=otto.author)
    client = logged_in(rita)

    response = client.post(edit_url(own), {"text": "Corrected figure: 61%.", "version": "0"})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.text == "<p>Corrected figure: 61%.</p>" and own.edited_at is not None

    assert client.get(edit_url(other)).status_code == 403
    assert client.post(edit_url(other), {"text": "Mine now"}).status_code == 403
    assert client.post(delete_url(other)).status_code == 403
    assert client.post(delete_url(own)).status_code == 302
    assert list(story.live_entries.all()) == [other]


def test_an_editor_edits_every_entry_and_pins_one(editor, rita, story):
    first, second = add_entries(story, 2, author=rita.author)
    client = logged_in(editor)
    for entry in (first, second):
        response = client.post(
            edit_url(entry),
            {
                "text": f"Pinned {entry.pk}",
                "author": str(rita.author.pk),
                "is_pinned": "on",
                "version": "0",
            },
        )
        assert response.status_code == 302, form_errors(response)
    assert list(story.live_entries.filter(is_pinned=True)) == [second]


def test_a_reporter_has_no_pin(rita, story):
    html = logged_in(rita).get(quick_url(story)).content.decode()
    assert 'name="is_pinned"' not in html
    post(logged_in(rita), story, is_pinned="on")
    assert not story.live_entries.get().is_pinned


def test_an_edit_from_an_out_of_date_copy_is_refused(rita, story):
    (entry,) = add_entries(story, 1, author=rita.author)
    client = logged_in(rita)
    client.post(edit_url(entry), {"text": "First edit", "version": "0"})
    response = client.post(edit_url(entry), {"text": "Second edit", "version": "0"})

    assert "Someone else changed this entry" in form_errors(response)
    entry.refresh_from_db()
    assert entry.text == "<p>First edit</p>"


# -- links from the story and the desk -------------------------------------------------


def test_the_change_form_and_the_desk_link_to_the_quick_form(rita, editor, story):
    quiet = make_live_story()
    LiveCoverage.objects.filter(article=quiet).update(ended_at=timezone.now())
    for user in (rita, editor):
        client = logged_in(user)
        assert quick_url(story) in client.get(change_url(story)).content.decode()
        desk = client.get(reverse("admin:index"))
        (live,) = [d for d in desk.context["desk_lists"] if d.key == "live"]
        assert [row.article for row in live.rows] == [story]  # open ones only
        assert quick_url(story) in desk.content.decode()


def test_an_editor_makes_a_story_live_and_closes_it(editor, rita):
    story = make_live_story(authors=[rita.author])
    LiveCoverage.objects.filter(article=story).delete()
    client = logged_in(editor)
    form = client.get(change_url(story)).content.decode()
    add = reverse("admin:articles_livecoverage_add")
    assert f"{add}?article={story.pk}" in form

    now = timezone.localtime()
    response = client.post(
        add,
        {
            "article": str(story.pk),
            "started_at_0": now.strftime("%Y-%m-%d"),
            "started_at_1": now.strftime("%H:%M:%S"),
        },
    )
    assert response.status_code == 302 and response["Location"] == quick_url(story)
    coverage = LiveCoverage.objects.get(article=story)
    assert coverage.is_open

    later = timezone.localtime() + timezone.timedelta(hours=1)
    change = reverse("admin:articles_livecoverage_change", args=[coverage.pk])
    data = {
        "started_at_0": now.strftime("%Y-%m-%d"),
        "started_at_1": now.strftime("%H:%M:%S"),
        "ended_at_0": later.strftime("%Y-%m-%d"),
        "ended_at_1": later.strftime("%H:%M:%S"),
    }
    refused = client.post(change, data)
    assert "Close the coverage now or at a time that has passed." in refused.content.decode()
    data["ended_at_1"] = timezone.localtime().strftime("%H:%M:%S")
    data["ended_at_0"] = timezone.localtime().strftime("%Y-%m-%d")
    assert client.post(change, data).status_code == 302
    coverage.refresh_from_db()
    assert not coverage.is_open


def test_reporters_cannot_open_or_close_coverage(rita, story):
    client = logged_in(rita)
    assert client.get(reverse("admin:articles_livecoverage_add")).status_code == 403
    change = reverse("admin:articles_livecoverage_change", args=[story.live_coverage.pk])
    response = client.post(change, {"ended_at_0": "2020-01-01", "ended_at_1": "10:00:00"})
    assert response.status_code == 403 or "ended_at" not in response.content.decode()
    story.live_coverage.refresh_from_db()
    assert story.live_coverage.is_open
