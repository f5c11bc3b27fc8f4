"""Every public page that a cache may keep declares what it shows.

The page cache (and an edge cache's surrogate keys) know when a page is stale
only from its view's declared dependencies. This walks every URL pattern of
the public site: a page served as cacheable must come from the page cache the
second time, which it does only with a declaration; anything else must say it
may not be kept (``Cache-Control: private``/``no-cache``/``no-store``)."""

import pytest
from django.urls import reverse

from articles.models import Article, LiveCoverage
from articles.publishing.preview import preview_token
from tests.factories import make_article, make_author, make_expert, make_section
from tests.reader_helpers import public_patterns

pytestmark = pytest.mark.django_db

NOT_KEPT = ("private", "no-cache", "no-store")


@pytest.fixture
def site():
    section, author, expert = make_section(), make_author(), make_expert()
    article = make_article(
        section=section, authors=[author], quotes=[(expert, "Said it.")], tags=["Harbour"]
    )
    draft = make_article(status=Article.Status.DRAFT, authors=[author])
    LiveCoverage.objects.create(article=article)  # its update endpoint answers
    # A two-language site: the story has a live Arabic translation.
    make_article(language="ar", translation_of=article, section=section, authors=[author])
    return {
        "article": article,
        "section": section,
        "author": author,
        "tag": article.tags.get(),
        "expert": expert,
        "draft": draft,
    }


def sample_kwargs(name, pattern, site):
    """Arguments that make ``name`` answer with a real page."""
    wanted = set(pattern.pattern.converters)
    if not wanted:
        return {}
    if wanted == {"token"}:
        return {"token": preview_token(site["draft"])}
    if wanted == {"section"}:  # a sitemap part
        return {"section": "articles"}
    if wanted == {"language"}:  # a language edition and its feeds
        return {"language": "ar"}
    owner = name.split(":")[-1].removesuffix("_ninjs").split("_")[0]
    if wanted == {"slug", "shape"}:  # a story's share card
        return {"slug": site[owner].slug, "shape": "16x9"}
    return {"slug": site[owner].slug}


def test_every_public_page_that_may_be_kept_declares_what_it_shows(client, site):
    checked = []
    for name, pattern in public_patterns():
        url = reverse(name, kwargs=sample_kwargs(name, pattern, site))
        first = client.get(url)
        assert first.status_code in (200, 302), (name, url, first.status_code)
        if first.status_code != 200:
            continue
        cache_control = first.get("Cache-Control", "")
        if any(word in cache_control for word in NOT_KEPT):
            checked.append((name, "not kept"))
            continue
        second = client.get(url)
        assert second.get("X-Cache") == "hit", (
            f"{name} ({url}) is cacheable but not kept by the page cache: "
            "declare its dependencies (articles/pagecache/dependencies.py)"
        )
        checked.append((name, "declared"))
    # The walk reached the pages it is about.
    names = dict(checked)
    assert names["articles:article"] == "declared"
    assert names["articles:home"] == "declared"
    assert names["articles:edition"] == names["articles:edition_feed"] == "declared"
    assert names["articles:search"] == "not kept"
    assert names["articles:preview"] == "not kept"
    assert len(checked) >= 20
