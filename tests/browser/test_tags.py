"""Tags in a real browser: the article form's autocomplete in Select2's tags
mode, and a merge through the tag admin's confirmation page."""

import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth.models import Group

from articles.models import Article, Tag, TagMerge
from tests.browser.conftest import admin_login, choose_in_autocomplete
from tests.factories import ensure_roles, make_article, make_editor, make_section

pytestmark = pytest.mark.django_db(transaction=True)


def tags_box(page):
    return page.locator("#id_tags + .select2")


def type_tag(page, text):
    """Type into the tags box and take the first suggestion: the existing tag
    that matches, or the typed name itself."""

    def answers_the_term(response):
        url = urlparse(response.url)
        return "/autocomplete/" in url.path and parse_qs(url.query).get("term") == [text]

    tags_box(page).locator(".select2-search__field").click()
    with page.expect_response(answers_the_term):
        page.keyboard.type(text)
    page.locator(".select2-results__option--highlighted", has_text=text).wait_for()
    page.keyboard.press("Enter")


def write_story(page, live_server, headline):
    page.goto(f"{live_server.url}/admin/articles/article/add/")
    page.fill("#id_headline", headline)
    choose_in_autocomplete(page, "id_section", "World")


def test_editor_picks_tags_and_only_a_tag_manager_adds_new_ones(page, live_server):
    ensure_roles()  # browser tests flush the database, and the groups with it
    make_editor("eddie")
    manager = make_editor("tina")
    manager.groups.add(Group.objects.get(name="Tag manager"))
    make_section(name="World", slug="world")
    Tag.objects.create(name="Finland")

    admin_login(page, live_server, "eddie")
    write_story(page, live_server, "Reindeer herders count losses")
    type_tag(page, "finl")  # the existing tag, found by part of its name
    type_tag(page, "Reindeer")  # a new one
    page.click("input[name=_save]")

    errors = page.locator(".errorlist").inner_text()
    assert "“Reindeer” is not a tag yet" in errors
    assert "finl" not in errors  # part of a name and Enter picked the existing tag
    assert "Reindeer" in tags_box(page).inner_text()  # still there, to remove or keep
    assert not Article.objects.exists()

    page.context.clear_cookies()
    admin_login(page, live_server, "tina")
    write_story(page, live_server, "Reindeer herders count losses")
    type_tag(page, "fin")
    type_tag(page, "Reindeer")
    page.click("input[name=_save]")
    page.wait_for_url(re.compile(r"/admin/articles/article/$"))

    article = Article.objects.get()
    assert sorted(t.name for t in article.tags.all()) == ["Finland", "Reindeer"]


def test_tag_manager_merges_two_tags_and_the_old_address_redirects(page, live_server):
    ensure_roles()
    manager = make_editor("tina")
    manager.groups.add(Group.objects.get(name="Tag manager"))
    kept, merged = Tag.objects.create(name="Ukraine"), Tag.objects.create(name="Ukraine war")
    make_article(tags=[kept], headline="Grain corridor reopens")
    make_article(tags=[merged], headline="Front line holds")

    admin_login(page, live_server, "tina")
    page.goto(f"{live_server.url}/admin/articles/tag/")
    for tag in (kept, merged):
        page.check(f"input[name=_selected_action][value='{tag.pk}']")
    page.select_option("select[name=action]", "merge_tags")
    page.click("button[name=index]")
    page.check(f"input[name=kept_tag][value='{kept.pk}']")
    page.click("input[value='Merge tags']")

    assert "Merged “Ukraine war” into “Ukraine”" in page.locator(".messagelist").inner_text()
    assert TagMerge.objects.get().merged_by == manager
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/tags/ukraine-war/")
    assert page.url == f"{live_server.url}/tags/ukraine/"
    assert "Front line holds" in page.content() and "Grain corridor reopens" in page.content()
