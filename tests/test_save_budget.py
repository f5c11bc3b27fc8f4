"""The spine's budget: one admin save of a story is one short run of queries,
one re-index of the story and one invalidation of each page it is on.

The story: published, 3 bylines, 2 expert quotes, 5 tags of which 3 are new."""

import pytest
import reversion
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import search
from articles.models import Article, Byline, ExpertQuote, Tag, TaggedArticle
from articles.pagecache import stamps
from tests.factories import make_article, make_author, make_editor, make_expert, make_section
from tests.workflow_helpers import ADD_URL, change_url, form_data, inline_rows, logged_in

pytestmark = pytest.mark.django_db

# The whole request, as an add counts it (25):
# - the session, the user and their permissions (4), and the view's transaction,
#   a savepoint inside the test's own (2);
# - validation (5): the section, the tags (one lookup, which also finds the tags
#   a new name would clash with), the slug's uniqueness, the authors (one query
#   for all bylines), the experts (one for all quotes);
# - the writes (8): the story, the new tags, their addresses' old redirects, the
#   taggings, the bylines (one INSERT), the quotes (one INSERT), the publishing
#   step (one UPDATE, its version check included), the admin's log entry;
# - the revision (2), written from the saved rows in memory;
# - after the commit (4): which pages the story is on (one query), the
#   re-index (one query to read the story, its tags and bylines, one to write)
#   and, as a listed story moved, the next publication time.
# A change (24) reads the story (locked), its tags, its bylines and quotes with
# their authors and experts, and whether it has a history yet, instead of the
# section, the slug check and the authors' and experts' lookups; it writes the
# changed quotes in one UPDATE, reads the stored taggings, and, as the story
# keeps its place, needs no next publication time.
ADD_BUDGET = 25
CHANGE_BUDGET = 24


def _editor_who_may_add_tags():
    editor = make_editor()
    editor.groups.add(Group.objects.get(name="Tag manager"))
    return editor


@pytest.fixture
def desk():
    Tag.objects.create(name="Harbour")
    Tag.objects.create(name="Strikes")
    return {
        "editor": _editor_who_may_add_tags(),
        "section": make_section(),
        "authors": [make_author() for _ in range(3)],
        "experts": [make_expert() for _ in range(2)],
    }


def warm_up(client, url):
    """As on a server at work: the editor's session in use, content types known."""
    client.get(url)
    ContentType.objects.get_for_models(Article, Byline, ExpertQuote, TaggedArticle)


@pytest.fixture
def side_effects(monkeypatch):
    """Every call the after-commit step makes to the search index and the page cache."""
    calls = {"index": [], "invalidate": []}
    real_index, real_invalidate = search.index_articles, stamps.invalidate

    def index_articles(ids):
        calls["index"].append(list(ids))
        real_index(ids)

    def invalidate(keys):
        calls["invalidate"].append(set(keys))
        real_invalidate(keys)

    monkeypatch.setattr(search, "index_articles", index_articles)
    monkeypatch.setattr(stamps, "invalidate", invalidate)
    return calls


def assert_one_reindex_and_one_invalidation(side_effects, article):
    assert side_effects["index"] == [[article.pk]]
    [keys] = side_effects["invalidate"]
    assert {f"article:{article.pk}", f"article-page:{article.pk}", "list:home"} <= keys
    assert f"list:section:{article.section_id}" in keys
    assert {f"list:author:{author.pk}" for author in article.authors.all()} <= keys
    assert {f"list:tag:{tag.pk}" for tag in article.tags.all()} <= keys


def _count(client, url, data):
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, data)
    if response.status_code != 302:
        errors = [response.context["adminform"].form.errors]
        errors += [fs.formset.errors for fs in response.context["inline_admin_formsets"]]
        raise AssertionError(errors)
    return captured.captured_queries


def test_an_admin_add_of_a_full_published_story_stays_within_the_budget(desk, side_effects):
    client = logged_in(desk["editor"])
    warm_up(client, ADD_URL)
    data = {
        "headline": "Harbour strike ends",
        "slug": "harbour-strike-ends",
        "dek": "Crews return tonight.",
        "section": str(desk["section"].pk),
        "status": Article.Status.PUBLISHED,
        "published_at_0": "",
        "published_at_1": "",
        "body": "<h2>Talks</h2><p>The strike is over.</p>",
        "tags": "Harbour, Strikes, Ferries, Unions, Port of Oslo",
        "hero_caption": "",
        "hero_credit": "",
        "hero_alt": "",
        **inline_rows(desk["authors"], desk["experts"]),
    }
    side_effects["index"].clear(), side_effects["invalidate"].clear()  # the set-up's own
    queries = _count(client, ADD_URL, data)
    article = Article.objects.get(slug="harbour-strike-ends")
    assert article.is_published
    assert article.bylines.count() == 3 and article.quotes.count() == 2
    assert article.tags.count() == 5
    assert len(queries) <= ADD_BUDGET, "\n".join(q["sql"][:150] for q in queries)
    assert_one_reindex_and_one_invalidation(side_effects, article)


def test_an_admin_change_of_a_full_published_story_stays_within_the_budget(desk, side_effects):
    article = make_article(
        authors=desk["authors"],
        quotes=[(expert, "Said before.") for expert in desk["experts"]],
        tags=["Harbour", "Strikes"],
        section=desk["section"],
    )
    with reversion.create_revision():  # a story already edited in the admin has a history
        reversion.add_to_revision(article)
    client = logged_in(desk["editor"])
    warm_up(client, change_url(article))
    data = form_data(
        article,
        headline="Harbour strike ends after talks",
        tags="Harbour, Strikes, Ferries, Unions, Port of Oslo",
        **inline_rows(
            desk["authors"],
            desk["experts"],
            bylines=list(article.bylines.all()),
            quotes=list(article.quotes.all()),
        ),
    )
    side_effects["index"].clear(), side_effects["invalidate"].clear()  # the set-up's own
    queries = _count(client, change_url(article), data)
    article.refresh_from_db()
    assert article.headline == "Harbour strike ends after talks"
    assert article.tags.count() == 5
    assert len(queries) <= CHANGE_BUDGET, "\n".join(q["sql"][:150] for q in queries)
    assert side_effects["index"] == [[article.pk]]
    assert len(side_effects["invalidate"]) == 1


def test_bylines_checked_in_bulk_still_refuse_an_author_who_does_not_exist(desk):
    client = logged_in(desk["editor"])
    authors = desk["authors"]
    data = {
        "headline": "Harbour strike ends",
        "slug": "harbour-strike-ends",
        "dek": "Crews return tonight.",
        "section": str(desk["section"].pk),
        "status": Article.Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "body": "<p>The strike is over.</p>",
        "tags": "",
        "hero_caption": "",
        "hero_credit": "",
        "hero_alt": "",
        **inline_rows(authors, []),
        "bylines-1-author": "99999",
    }
    response = client.post(ADD_URL, data)
    assert response.status_code == 200
    [bylines] = [
        fs.formset
        for fs in response.context["inline_admin_formsets"]
        if fs.formset.prefix == "bylines"
    ]
    assert "Select a valid choice" in str(bylines.errors[1]["author"])
    assert not Article.objects.filter(slug="harbour-strike-ends").exists()


def test_a_quote_row_of_another_story_is_not_taken_over(desk):
    """The rows a change form may name are its story's own, read once."""
    other = make_article(quotes=[(desk["experts"][0], "Theirs.")], section=desk["section"])
    article = make_article(
        authors=desk["authors"][:1],
        quotes=[(desk["experts"][1], "Ours.")],
        section=desk["section"],
    )
    [theirs] = other.quotes.all()
    client = logged_in(desk["editor"])
    data = form_data(
        article,
        **inline_rows(
            desk["authors"][:1],
            desk["experts"][:1],
            bylines=list(article.bylines.all()),
            quotes=[theirs],
        ),
    )
    client.post(change_url(article), data)
    theirs.refresh_from_db()
    assert (theirs.article_id, theirs.text) == (other.pk, "Theirs.")
