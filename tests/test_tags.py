"""Tag management: usage counts, rename, merge, clean-up, controlled vocabulary.

Everything goes through the admin with logged-in users, or through the public
tag pages with the test client.
"""

import io
from datetime import timedelta

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, Tag, TaggedArticle, TagMerge, TagRedirect
from tests.factories import make_article, make_author, make_in_role, make_section
from tests.test_admin import article_form_data
from tests.workflow_helpers import ADD_URL, management

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_tag_changelist")
TAG_ADD = reverse("admin:articles_tag_add")


@pytest.fixture
def manager_client(client):
    client.force_login(make_in_role("tagger", "Tag manager"))
    return client


@pytest.fixture(params=["Reporter", "Editor"])
def writer_client(client, request):
    client.force_login(make_in_role(request.param.lower(), request.param))
    return client


def tag(name, **fields):
    return Tag.objects.create(name=name, **fields)


def change_url(tag):
    return reverse("admin:articles_tag_change", args=[tag.pk])


def run_action(client, action, tags, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [t.pk for t in tags], **extra}
    if "apply" not in extra:
        data["index"] = "0"  # submitted from the change list's action bar
    return client.post(CHANGELIST, data)


def confirm_merge(client, tags, keep, new_name=""):
    """Merge ``tags`` into ``keep`` as the confirmation page posts it."""
    return run_action(
        client, "merge_tags", tags, kept_tag=keep.pk, new_tag_name=new_name, apply="yes"
    )


def tagged_articles(*tags):
    return set(Article.objects.filter(tags__in=tags).values_list("pk", flat=True))


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# The tag list


def test_tag_list_shows_usage_sorted_by_it(manager_client):
    busy, quiet, unused = tag("Ukraine"), tag("Estonia"), tag("Latvia")
    for _ in range(3):
        make_article(tags=[busy])
    make_article(tags=[quiet, busy])

    response = manager_client.get(CHANGELIST, {"o": "-3"})  # column 3: usage

    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert [(t.name, t.usage_count) for t in rows] == [
        ("Ukraine", 4),
        ("Estonia", 1),
        ("Latvia", 0),
    ]
    assert unused.name in response.content.decode()


def test_tag_list_counts_every_story_and_apart_the_live_ones_its_page_lists(manager_client, client):
    harbour = tag("Harbours")
    make_article(tags=[harbour])
    make_article(tags=[harbour], status=Article.Status.DRAFT, published_at=None)
    make_article(tags=[harbour], published_at=timezone.now() + timedelta(days=1))

    response = manager_client.get(CHANGELIST)
    (row,) = response.context["cl"].result_list
    assert (row.usage_count, row.live_count) == (3, 1)
    page = response.content.decode()
    assert "Stories (all states)" in page and "Live (on its public page)" in page
    assert f'<a href="{harbour.get_absolute_url()}">1</a>' in page
    # The public page lists exactly the live ones.
    assert len(client.get(harbour.get_absolute_url()).context["articles"]) == 1


def test_tag_list_searches_and_filters_unused(manager_client):
    tag("Ukraine war"), tag("Ukraine")
    make_article(tags=[Tag.objects.get(name="Ukraine")])
    tag("Budget")

    found = manager_client.get(CHANGELIST, {"q": "ukr"}).context["cl"].result_list
    assert sorted(t.name for t in found) == ["Ukraine", "Ukraine war"]
    unused = manager_client.get(CHANGELIST, {"usage": "unused"}).context["cl"].result_list
    assert sorted(t.name for t in unused) == ["Budget", "Ukraine war"]


def test_tag_list_query_count_stays_flat(manager_client, django_assert_max_num_queries):
    for n in range(30):
        make_article(tags=[tag(f"Topic {n}")])
    with django_assert_max_num_queries(12):
        response = manager_client.get(CHANGELIST)
    assert response.status_code == 200


# Renaming


def test_renaming_a_tag_moves_its_address_and_the_old_one_redirects(manager_client, client):
    ukraine_war = tag("Ukraine war", description="The war.")
    make_article(tags=[ukraine_war], headline="Front line holds")

    response = manager_client.post(
        change_url(ukraine_war),
        {
            "name": "War in Ukraine",
            "slug": "ukraine-war",  # left as it was: it follows the new name
            "description": "The war.",
            **management("redirects"),
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    ukraine_war.refresh_from_db()
    assert (ukraine_war.name, ukraine_war.slug) == ("War in Ukraine", "war-in-ukraine")
    old = client.get("/tags/ukraine-war/?page=2")
    assert old.status_code == 301
    assert old["Location"] == "/tags/war-in-ukraine/?page=2"
    new = client.get("/tags/war-in-ukraine/")
    assert "Front line holds" in new.content.decode()


def test_renaming_twice_sends_both_old_addresses_to_the_newest(manager_client, client):
    energy = tag("Energy")
    for name in ["Energy policy", "Energy prices"]:
        manager_client.post(
            change_url(energy),
            {"name": name, "slug": energy.slug, **management("redirects")},
        )
        energy.refresh_from_db()
    assert client.get("/tags/energy/")["Location"] == "/tags/energy-prices/"
    assert client.get("/tags/energy-policy/")["Location"] == "/tags/energy-prices/"


def test_changing_only_the_case_of_a_name_keeps_the_slug(manager_client):
    nato = tag("nato")
    response = manager_client.post(
        change_url(nato), {"name": "NATO", "slug": "nato", **management("redirects")}
    )
    assert response.status_code == 302
    nato.refresh_from_db()
    assert (nato.name, nato.slug) == ("NATO", "nato")
    assert not TagRedirect.objects.exists()


def test_a_new_tag_may_take_an_old_address_which_then_stops_redirecting(manager_client, client):
    old = tag("Brexit")
    manager_client.post(
        change_url(old),
        {"name": "Brexit talks", "slug": "brexit", **management("redirects")},
    )
    assert client.get("/tags/brexit/").status_code == 301

    response = manager_client.post(TAG_ADD, {"name": "Brexit", "slug": "brexit"})

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert client.get("/tags/brexit/").status_code == 200
    assert client.get("/tags/brexit-talks/").status_code == 200


def test_an_unknown_tag_address_is_still_404(client):
    assert client.get("/tags/never-was/").status_code == 404


# Merging


def test_merge_confirmation_page_lists_the_tags_and_offers_the_most_used_to_keep(
    manager_client,
):
    ukraine, lower = tag("Ukraine"), tag("Ukraine (country)")
    make_article(tags=[ukraine])
    make_article(tags=[ukraine])
    make_article(tags=[lower])

    response = run_action(manager_client, "merge_tags", [ukraine, lower])

    assert response.status_code == 200
    assert response.context["form"]["kept_tag"].initial == ukraine
    assert "Ukraine (country)" in response.content.decode()
    assert Tag.objects.count() == 2  # nothing happens before confirmation


def test_merge_keeps_every_tagged_article_and_drops_duplicates(manager_client, client):
    ukraine, war, conflict, other = (
        tag("Ukraine"),
        tag("Ukraine war"),
        tag("War in Ukraine"),
        tag("Energy"),
    )
    both = make_article(tags=[ukraine, war, other])
    only_war = make_article(tags=[war])
    war_and_conflict = make_article(tags=[war, conflict])
    only_ukraine = make_article(tags=[ukraine])
    before = tagged_articles(ukraine, war, conflict)

    response = confirm_merge(manager_client, [ukraine, war, conflict], keep=ukraine)

    assert response.status_code == 302
    assert tagged_articles(ukraine) == before
    assert len(before) == 4
    assert TaggedArticle.objects.filter(tag=ukraine).count() == 4  # one tagging each
    assert not Tag.objects.filter(pk__in=[war.pk, conflict.pk]).exists()
    assert list(both.tags.order_by("name")) == [other, ukraine]
    for article in [only_war, war_and_conflict, only_ukraine]:
        assert list(article.tags.all()) == [ukraine]
    for old_slug in ["ukraine-war", "war-in-ukraine"]:
        moved = client.get(f"/tags/{old_slug}/")
        assert moved.status_code == 301
        assert moved["Location"] == "/tags/ukraine/"


def test_pages_cached_before_a_merge_show_its_result(manager_client):
    reader = Client()
    kept, merged = tag("Ukraine"), tag("Ukraine war")
    make_article(tags=[kept], headline="Grain corridor reopens")
    moved = make_article(tags=[merged], headline="Front line holds")
    for url in ["/tags/ukraine/", moved.get_absolute_url(), moved.get_absolute_url()]:
        response = reader.get(url)
    assert response["X-Cache"] == "hit"
    assert "Front line holds" not in reader.get("/tags/ukraine/").content.decode()

    confirm_merge(manager_client, [kept, merged], keep=kept)

    assert "Front line holds" in reader.get("/tags/ukraine/").content.decode()
    story = reader.get(moved.get_absolute_url()).content.decode()
    assert 'href="/tags/ukraine/"' in story and "/tags/ukraine-war/" not in story


def test_merge_writes_an_audit_record_and_an_admin_history_entry(manager_client):
    kept, merged = tag("Finland"), tag("finland (country)")
    make_article(tags=[merged])

    response = confirm_merge(manager_client, [kept, merged], keep=kept)

    assert response.status_code == 302
    record = TagMerge.objects.get()
    assert record.merged_by.username == "tagger"
    assert record.kept_tag == kept and record.kept_name == "Finland"
    assert record.merged_tags == [{"name": "finland (country)", "slug": "finland-country"}]
    assert record.merged_at is not None
    history = manager_client.get(reverse("admin:articles_tag_history", args=[kept.pk]))
    assert "Merged finland (country) into this tag." in history.content.decode()
    log = manager_client.get(reverse("admin:articles_tagmerge_changelist"))
    assert log.status_code == 200 and "finland (country)" in log.content.decode()


def test_merge_can_rename_the_kept_tag_to_a_merged_tags_name(manager_client, client):
    kept, merged = tag("Ukraine"), tag("Ukraine war")
    make_article(tags=[kept])
    make_article(tags=[merged])

    response = confirm_merge(manager_client, [kept, merged], keep=kept, new_name="Ukraine war")

    assert response.status_code == 302
    kept.refresh_from_db()
    assert (kept.name, kept.slug) == ("Ukraine war", "ukraine-war")
    assert client.get("/tags/ukraine-war/").status_code == 200
    assert client.get("/tags/ukraine/")["Location"] == "/tags/ukraine-war/"
    assert tagged_articles(kept) == set(Article.objects.values_list("pk", flat=True))


def test_merging_a_tag_into_itself_is_refused_and_changes_nothing(manager_client):
    alone = tag("Alone")
    make_article(tags=[alone])

    response = run_action(manager_client, "merge_tags", [alone])
    assert response.status_code == 302
    followed = manager_client.get(response["Location"])
    assert "Select at least two tags" in " ".join(messages_of(followed))

    # The same, posted as if confirmed.
    response = confirm_merge(manager_client, [alone], keep=alone)
    assert response.status_code == 200
    assert "Select at least two tags" in response.content.decode()
    assert Tag.objects.get() == alone and alone.tagged_articles.count() == 1
    assert not TagMerge.objects.exists()


@pytest.mark.parametrize(
    ("new_name", "error"),
    [
        ("x" * 1000, "at most 100 characters"),
        ("!!!", "no letters or digits"),
        ("budget", "too close to the existing tag “Budget”"),
        ("Budget!", "too close to the existing tag “Budget”"),
    ],
)
def test_bad_merge_input_is_a_form_error_and_loses_nothing(manager_client, new_name, error):
    tag("Budget")
    first, second = tag("Tax"), tag("Taxes")
    make_article(tags=[first])
    make_article(tags=[second])

    response = confirm_merge(manager_client, [first, second], keep=first, new_name=new_name)

    assert response.status_code == 200
    assert error in str(response.context["form"].errors["new_tag_name"])
    assert Tag.objects.count() == 3 and TaggedArticle.objects.count() == 2


def test_keeping_a_tag_that_was_not_selected_is_a_form_error(manager_client):
    first, second, outsider = tag("Tax"), tag("Taxes"), tag("Budget")
    response = confirm_merge(manager_client, [first, second], keep=outsider)
    assert response.status_code == 200
    assert "kept_tag" in response.context["form"].errors
    assert Tag.objects.count() == 3


# Clean-up


def test_cleanup_deletes_only_unused_tags(manager_client):
    used, unused, also_unused = tag("Used"), tag("Unused"), tag("Also unused")
    article = make_article(tags=[used])

    response = run_action(manager_client, "delete_unused_tags", [used, unused, also_unused])

    assert response.status_code == 302
    assert list(Tag.objects.all()) == [used]
    assert list(article.tags.all()) == [used]
    followed = manager_client.get(response["Location"])
    assert any("Kept 1 selected tags" in m for m in messages_of(followed))


# Who may do what


def test_writers_see_tags_but_cannot_merge_rename_or_delete(writer_client, client):
    first, second = tag("Tax"), tag("Taxes")
    make_article(tags=[first])
    make_article(tags=[second])

    changelist = writer_client.get(CHANGELIST)
    assert changelist.status_code == 200
    assert changelist.context["action_form"] is None  # no actions at all

    for action in ["merge_tags", "delete_unused_tags", "delete_selected"]:
        run_action(writer_client, action, [first, second], kept_tag=first.pk, apply="yes")
        run_action(writer_client, action, [first, second])
    rename = writer_client.post(
        change_url(first), {"name": "Taxation", "slug": "tax", **management("redirects")}
    )
    delete = writer_client.post(
        reverse("admin:articles_tag_delete", args=[second.pk]), {"post": "yes"}
    )
    add = writer_client.post(TAG_ADD, {"name": "New", "slug": "new"})

    assert rename.status_code == 403 and delete.status_code == 403 and add.status_code == 403
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["Tax", "Taxes"]
    assert not TagMerge.objects.exists() and not TagRedirect.objects.exists()


def test_writers_get_the_read_only_tag_page(writer_client):
    oslo = tag("Oslo", description="The capital.")

    response = writer_client.get(change_url(oslo))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Oslo" in page and "The capital." in page
    assert not response.context["adminform"].form.fields  # every field read only
    assert 'name="_save"' not in page


def test_tag_managers_get_the_merge_and_cleanup_actions(manager_client):
    actions = dict(manager_client.get(CHANGELIST).context["action_form"].fields["action"].choices)
    assert {"merge_tags", "delete_unused_tags", "delete_selected"} <= set(actions)


def test_writers_find_tags_with_the_autocomplete(writer_client):
    tag("Ukraine"), tag("United Kingdom"), tag("Budget")
    response = writer_client.get(
        reverse("admin:autocomplete"),
        {"term": "u", "app_label": "articles", "model_name": "article", "field_name": "tags"},
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == [
        "Budget",
        "Ukraine",
        "United Kingdom",
    ]


# Controlled vocabulary in the article form


def test_writers_pick_existing_tags_by_id_or_by_name_in_any_case(writer_client):
    finland, security = tag("Finland"), tag("Security")
    data = article_form_data(
        make_section(),
        tags=[str(finland.pk), "SECURITY"],
    )

    response = writer_client.post(ADD_URL, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    assert list(article.tags.order_by("name")) == [finland, security]
    assert Tag.objects.count() == 2


def test_a_writer_typing_a_new_tag_gets_an_error_naming_it(writer_client):
    finland = tag("Finland")
    section = make_section()

    response = writer_client.post(
        ADD_URL, article_form_data(section, tags=[str(finland.pk), "Reindeer", "Arctic"])
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["tags"]
    assert "“Reindeer” is not a tag yet" in str(errors)
    assert "“Arctic” is not a tag yet" in str(errors)
    assert not Article.objects.exists()
    assert list(Tag.objects.all()) == [finland]
    # What was typed is still in the box, to fix rather than retype.
    page = response.content.decode()
    assert 'value="Reindeer" selected' in page
    assert f'value="{finland.pk}" selected' in page


def test_a_tag_manager_can_create_tags_from_the_article_form(client):
    editor = make_in_role("editor", "Editor")
    editor.groups.add(Group.objects.get(name="Tag manager"))
    client.force_login(editor)
    finland = tag("Finland")
    section = make_section()

    response = client.post(
        ADD_URL,
        article_form_data(
            section,
            authors=[make_author()],  # the publish checklist needs a byline
            tags=[str(finland.pk), "Reindeer", "reindeer"],
            status="published",
        ),
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()
    assert sorted(t.name for t in article.tags.all()) == ["Finland", "Reindeer"]
    client.logout()
    page = client.get(article.get_absolute_url()).content.decode()
    assert 'href="/tags/reindeer/"' in page and 'href="/tags/finland/"' in page


@override_settings(NEWSROOM_CONTROLLED_TAGS=False)
def test_without_the_controlled_vocabulary_writers_create_tags(writer_client):
    section = make_section()
    response = writer_client.post(ADD_URL, article_form_data(section, tags=["Reindeer"]))
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(Tag.objects.values_list("name", flat=True)) == ["Reindeer"]


@pytest.mark.parametrize(
    ("tags", "error"),
    [
        (["y" * 1000], "at most 100 characters"),
        (["???"], "no letters or digits"),
        (["Ukraine-war"], "too close to the existing tag “Ukraine war”"),
        (["Sámi people", "Sámi-people"], "would share one address"),
    ],
)
def test_bad_new_tag_names_in_the_article_form_are_errors(superuser_client, tags, error):
    tag("Ukraine war")
    section = make_section()

    response = superuser_client.post(ADD_URL, article_form_data(section, tags=tags))

    assert response.status_code == 200
    assert error in str(response.context["adminform"].form.errors["tags"])
    assert not Article.objects.exists() and Tag.objects.count() == 1


def test_a_tag_merged_away_while_the_form_was_open_is_an_error_not_a_new_tag(superuser_client):
    kept, merged = tag("Ukraine"), tag("Ukraine war")
    data = article_form_data(make_section(), tags=[str(kept.pk), str(merged.pk)])
    kept.merge([merged])

    response = superuser_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "no longer exists" in str(response.context["adminform"].form.errors["tags"])
    assert list(Tag.objects.all()) == [kept] and not Article.objects.exists()


def test_changing_an_articles_tags_saves_them_alongside_its_bylines(superuser_client):
    finland, security, energy = tag("Finland"), tag("Security"), tag("Energy")
    author = make_author(name="Maria Lindqvist")
    article = make_article(tags=[finland, security], authors=[author], status=Article.Status.DRAFT)
    byline = article.bylines.get()
    data = article_form_data(
        article.section,
        slug=article.slug,
        headline="Changed",
        tags=[str(finland.pk), str(energy.pk)],
        version=str(article.version),
        **management("bylines", 1, initial=1),
    )
    data.update(
        {
            "bylines-0-id": str(byline.pk),
            "bylines-0-article": str(article.pk),
            "bylines-0-author": str(author.pk),
            "bylines-0-position": "0",
        }
    )
    url = reverse("admin:articles_article_change", args=[article.pk])

    response = superuser_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(article.tags.order_by("name")) == [energy, finland]
    assert [a.name for a in Article.objects.get().ordered_bylines()] == ["Maria Lindqvist"]
    form_page = superuser_client.get(url).content.decode()
    assert f'<option value="{energy.pk}" selected>Energy</option>' in form_page
    assert "Security</option>" not in form_page


# The tag admin's own form


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("", "This field is required"),
        ("   ", "This field is required"),
        ("z" * 1000, "at most 100 characters"),
        ("UKRAINE", "too close to the existing tag “Ukraine”"),
        ("Ukraine!", "too close to the existing tag “Ukraine”"),
        ("%%%", "no letters or digits"),
    ],
)
def test_bad_tag_names_are_form_errors(manager_client, name, error):
    tag("Ukraine")
    response = manager_client.post(TAG_ADD, {"name": name, "slug": "", "description": ""})
    assert response.status_code == 200
    assert error in str(response.context["adminform"].form.errors)
    assert Tag.objects.count() == 1


def test_a_new_tag_without_a_slug_gets_one_from_its_name(manager_client):
    response = manager_client.post(TAG_ADD, {"name": "Sámi people", "slug": "", "description": ""})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Tag.objects.get().slug == "sámi-people"


def test_legacy_near_duplicates_can_still_be_edited(manager_client):
    # Tags from before case-insensitivity: editing one's description must not fail.
    first = tag("Ukraine")
    tag("ukraine", slug="ukraine-2")
    response = manager_client.post(
        change_url(first),
        {
            "name": "Ukraine",
            "slug": "ukraine",
            "description": "The country.",
            **management("redirects"),
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors


# Command-line clean-up: taggit's commands, for our tags


def test_deduplicate_command_merges_case_variants_into_the_oldest(client):
    oldest = tag("Ukraine")
    shouting = tag("UKRAINE", slug="ukraine-1")
    lower = tag("ukraine", slug="ukraine-2")
    other = tag("Estonia")
    a, b = make_article(tags=[oldest, shouting]), make_article(tags=[lower, other])

    call_command("deduplicate_article_tags", stdout=io.StringIO())

    assert list(Tag.objects.order_by("pk")) == [oldest, other]
    assert list(a.tags.all()) == [oldest]
    assert list(b.tags.order_by("name")) == [other, oldest]
    assert client.get("/tags/ukraine-2/")["Location"] == "/tags/ukraine/"
    assert TagMerge.objects.count() == 2
    assert not TagMerge.objects.exclude(merged_by=None).exists()


def test_remove_unused_tags_command_keeps_tags_in_use():
    used = tag("Used")
    tag("Unused")
    make_article(tags=[used])
    out = io.StringIO()

    call_command("remove_unused_tags", stdout=out)

    assert list(Tag.objects.all()) == [used]
    assert "Removed 1 unused tags: Unused." in out.getvalue()


def test_markup_typed_into_the_tags_box_is_cleaned_before_matching(superuser_client):
    oslo = tag("Oslo")
    data = article_form_data(make_section(), tags=["<b>Oslo</b>", "<i>Bergen</i>", "<script>"])

    response = superuser_client.post(ADD_URL, data)

    assert response.status_code == 302  # not a clash on save with the existing "Oslo"
    article = Article.objects.get()
    assert sorted(t.name for t in article.tags.all()) == ["Bergen", "Oslo"]
    assert article.tags.get(name="Oslo") == oslo


# Tag names with markup, case and quotes, on every path that makes or renames a tag


def test_the_tag_admin_makes_the_slug_from_the_name_without_its_markup(manager_client):
    response = manager_client.post(
        TAG_ADD, {"name": "Tg1 <script>window.__xss1</script>", "slug": "", "description": ""}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    oslo = tag("Oslo")

    response = manager_client.post(
        change_url(oslo),
        {"name": "<i>Bergen</i>", "slug": "oslo", "description": "", **management("redirects")},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert sorted(Tag.objects.values_list("name", "slug")) == [("Bergen", "bergen"), ("Tg1", "tg1")]
    # A quote is part of a name, here as in the article form and imports.
    manager_client.post(TAG_ADD, {"name": 'The "Troubles"', "slug": "", "description": ""})
    assert Tag.objects.get(slug="the-troubles").name == 'The "Troubles"'


def test_every_tag_slug_is_made_from_the_name_without_its_markup():
    # Whoever asks for a slug (taggit's save and its "_1" fallback, a rename, a check).
    assert Tag().slugify("Tg1 <script>window.__xss1</script>") == "tg1"
    assert Tag().slugify("<b>Oslo</b>", 2) == "oslo_2"


def test_a_merge_renames_with_the_slug_of_the_name_without_its_markup(manager_client):
    first, second = tag("Fjord"), tag("Fjords")

    response = confirm_merge(manager_client, [first, second], keep=first, new_name="<b>Fjords</b>!")

    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.name, first.slug) == ("Fjords!", "fjords")


def test_a_merge_rename_to_an_existing_name_in_markup_and_other_case_is_refused(manager_client):
    tag("Oslo")
    first, second = tag("Tax"), tag("Taxes")

    response = confirm_merge(manager_client, [first, second], keep=first, new_name="<b>OSLO</b>")

    assert response.status_code == 200
    assert "too close to the existing tag “Oslo”" in str(response.context["form"].errors)
    assert Tag.objects.count() == 3


def test_the_tag_admin_refuses_an_existing_name_in_markup_and_other_case(manager_client):
    tag("Oslo")
    response = manager_client.post(TAG_ADD, {"name": "<b>OSLO</b>", "slug": "", "description": ""})
    assert response.status_code == 200
    assert "too close to the existing tag “Oslo”" in str(response.context["adminform"].form.errors)
    assert list(Tag.objects.values_list("name", flat=True)) == ["Oslo"]


def test_every_taggit_write_finds_the_existing_tag_whatever_its_markup_and_case():
    oslo = tag("Oslo")
    article = make_article(tags=["<b>OSLO</b>"])
    article.tags.add("<i>oslo</i>", "<em>Bergen</em>")

    assert sorted(article.tags.values_list("name", "slug")) == [
        ("Bergen", "bergen"),
        ("Oslo", "oslo"),
    ]
    assert article.tags.get(slug="oslo") == oslo


def test_a_tag_name_with_quotes_is_one_tag_in_the_article_form(superuser_client):
    data = article_form_data(make_section(), tags=['The "Troubles"', "Oslo, Bergen"])

    response = superuser_client.post(ADD_URL, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert sorted(Article.objects.get().tags.values_list("name", "slug")) == [
        ("Bergen", "bergen"),
        ("Oslo", "oslo"),
        ('The "Troubles"', "the-troubles"),
    ]


def test_an_import_tags_with_the_existing_tag_whatever_its_markup_case_or_quotes(tmp_path):
    from tests.test_ninjs import run_import, write_json

    oslo = tag("Oslo")
    path = write_json(
        tmp_path,
        "wire.json",
        {
            "uri": "urn:uuid:6a1e4f39-3f0e-4c55-9d4b-9e0ad4f8a6e1",
            "headlines": [{"value": "Ferries return"}],
            "bodies": [{"contenttype": "text/html", "value": "<p>They do.</p>"}],
            "by": "Ana Ruiz",
            "subjects": [{"name": "<b>OSLO</b>"}, {"name": 'The "Troubles"'}],
        },
    )

    out, err, error = run_import(path)

    assert error is None, err
    article = Article.objects.get()
    assert sorted(article.tags.values_list("name", "slug")) == [
        ("Oslo", "oslo"),
        ('The "Troubles"', "the-troubles"),
    ]
    assert article.tags.get(slug="oslo") == oslo
    # Importing it again finds the story unchanged, not changed by its markup.
    assert "unchanged" in run_import(path)[0]


def test_a_tag_named_in_arabic_has_pages_under_its_own_letters(client):
    story = make_article(headline="الموانئ تعود", language="ar", tags=["موانئ"])
    tag = Tag.objects.get(name="موانئ")
    assert tag.slug == "موانئ"
    story_page = client.get(story.get_absolute_url())
    assert story_page.status_code == 200
    assert tag.get_absolute_url() in story_page.content.decode()
    for url in (tag.get_absolute_url(), f"{tag.get_absolute_url()}feed/", "/sitemap-tags.xml"):
        response = client.get(url)
        assert response.status_code == 200, url
    assert "الموانئ تعود" in client.get(tag.get_absolute_url()).content.decode()
