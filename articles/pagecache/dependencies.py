"""What a page shows, declared by its view as *dependency keys*.

A key names one thing a write can change:

* ``article:12``, ``author:3``, ``section:2``, ``tag:5``, ``expert:7`` — an object
  whose own fields appear on the page (a headline, a byline, a tag's name);
* ``article-page:12`` — what only a story's own page (and a feed entry) shows:
  its quotes, tags and corrections;
* ``list:home``, ``list:section:2``, ``list:author:3``, ``list:tag:5``,
  ``list:expert:7`` — a list the page is one page of, which changes when a story
  joins, leaves or moves in it (and, for an expert, when a quote of theirs changes);
* ``live:12`` — a live story's update endpoint: its entries and whether its
  coverage is open (``articles/models/live.py``);
* ``sitemap`` — the sitemaps, which list every live story and everything with one
  (the index, and the sitemaps of sections, authors, tags and experts);
* ``sitemap-page:3`` — one page of the stories' sitemap, which lists the
  stories of a range of ids (``articles/sitemaps.py``);
* ``nav`` — the section navigation on every page (also the only place a page
  shows a section's name);
* ``banner`` — the breaking-news banner on every page;
* ``front:home``, ``front:section:2`` — what the desk placed on a front, in
  what order and in which words.

Each public view declares its page's ``Dependencies`` with the builders below;
``articles/changes.py`` stamps the same keys when something changes. The page
cache reads the declaration, and so can an edge cache's surrogate keys.
"""

from dataclasses import dataclass

NAV = "nav"
BANNER = "banner"
# What every reader page shows around its content: the sections and the banner.
CHROME = frozenset({NAV, BANNER})
SITEMAP = "sitemap"
HOME_LIST = "list:home"


def object_key(obj):
    """``author:3``: an object whose own fields a page shows."""
    return f"{obj._meta.model_name}:{obj.pk}"


def story_key(pk):
    return f"article:{pk}"


def story_page_key(pk):
    return f"article-page:{pk}"


def live_key(pk):
    return f"live:{pk}"


def front_key(section_id=None):
    """``front:home``, or the front of one section's page: ``front:section:2``."""
    return "front:home" if section_id is None else f"front:section:{section_id}"


def list_key(owner_name=None, owner_pk=None):
    """``list:home``, or the list of one owner: ``list:tag:5``."""
    return HOME_LIST if owner_name is None else f"list:{owner_name}:{owner_pk}"


@dataclass(frozen=True)
class Dependencies:
    keys: frozenset
    # A list is kept no later than the next scheduled publication, which may join it.
    is_list: bool = False

    def __or__(self, other):
        return Dependencies(self.keys | other.keys, self.is_list or other.is_list)


def _card_keys(article):
    """A story as a list shows it: its fields and bylines. Its section's name
    and link change only with ``nav``."""
    return {story_key(article.pk), *(f"author:{b.author_id}" for b in article.bylines.all())}


def story_page(article, *, with_banner=True):
    """A story's own page: the story, its bylines' authors, its quoted experts,
    its tags, its corrections; its section shows through ``nav``.
    ``with_banner=False``: the story as data (ninjs), without the banner."""
    keys = _card_keys(article) | {story_page_key(article.pk), *(CHROME if with_banner else {NAV})}
    keys.update(f"expert:{quote.expert_id}" for quote in article.quotes.all())
    keys.update(f"tag:{tag.pk}" for tag in article.tags.all())
    return Dependencies(frozenset(keys))


def story_list(stories, owner=None, *, with_tags=False, nav=True):
    """One page of a list of stories: the list itself (the site's, or an
    owner's), the owner's own fields, and each story's card. ``with_tags``:
    each entry also shows its tags (feeds)."""
    keys = set(CHROME) if nav else set()
    if owner is None:
        keys.add(HOME_LIST)
    else:
        keys |= {object_key(owner), list_key(owner._meta.model_name, owner.pk)}
    for article in stories:
        keys |= _card_keys(article)
        if with_tags:
            keys.add(story_page_key(article.pk))
            keys.update(f"tag:{tag.pk}" for tag in article.tags.all())
    return Dependencies(frozenset(keys), is_list=True)


def quoted_in(expert, stories):
    """An expert's page: the expert, the list of stories quoting them (their
    quotes change it too), and each story's headline and date, without bylines."""
    keys = {*CHROME, object_key(expert), list_key("expert", expert.pk)}
    keys.update(story_key(story.pk) for story in stories)
    return Dependencies(frozenset(keys), is_list=True)


AUTHORS_INDEX = "list:authors"


def author_index(authors):
    """The authors index: every author (a new one joins it), and story counts
    that change whenever a story joins or leaves the site's list."""
    keys = {*CHROME, HOME_LIST, AUTHORS_INDEX, *(object_key(author) for author in authors)}
    return Dependencies(frozenset(keys), is_list=True)


CORRECTIONS_LIST = "list:corrections"


def correction_list(corrections):
    """The corrections ledger: each entry (stamped with its story's page) and
    each story's headline."""
    keys = {*CHROME, CORRECTIONS_LIST}
    for correction in corrections:
        keys |= {story_key(correction.article_id), story_page_key(correction.article_id)}
    return Dependencies(frozenset(keys), is_list=True)


def front_page(front):
    """A front (``articles.fronts.FrontPage``): what the desk placed there, each
    story's card, and the lists that fill its empty places and its section
    blocks: the site's, or the section's own, and on the home page every
    section's (a story moving section moves between blocks)."""
    keys = {*CHROME, front_key(front.section.pk if front.section else None)}
    if front.section is None:
        keys.add(HOME_LIST)
        keys.update(list_key("section", pk) for pk in front.section_pks)
    else:
        keys |= {object_key(front.section), list_key("section", front.section.pk)}
    for article in front.articles:
        keys |= _card_keys(article)
    return Dependencies(frozenset(keys), is_list=True)


def share_card(article):
    """A story's generated share card: its headline and its section's name."""
    return Dependencies(frozenset({story_key(article.pk), NAV}))


SITEMAPS = Dependencies(frozenset({SITEMAP}), is_list=True)


def story_sitemap_key(page):
    return f"sitemap-page:{page}"


def story_sitemap(page):
    """One page of the stories' sitemap: only its own stories change it."""
    return Dependencies(frozenset({story_sitemap_key(page)}), is_list=True)


# A page made from templates and settings only (robots.txt).
FIXED = Dependencies(frozenset())


# -- The same keys at the edge ------------------------------------------------------
#
# An edge cache (Varnish's xkey, Fastly's Surrogate-Key, Cloudflare's Cache-Tag)
# purges pages by the keys they carry in a header of at most 16 KB, and a list
# page carries some sixty: there each key has a short name of its own.

EDGE_KINDS = {
    "article": "a",
    "article-page": "ap",
    "author": "au",
    "section": "s",
    "tag": "t",
    "expert": "e",
    "live": "lv",
    "versions": "v",
    "sitemap-page": "sm",
}
# Every page the edge may keep carries it: purging it empties the edge of them
# (after a deploy that changes how pages look, say).
EDGE_SITE_KEY = "all"


def edge_key(key):
    """The edge's name for a dependency key: ``article:12`` is ``a12``,
    ``article-page:12`` ``ap12``, ``list:tag:5`` ``l-t5``, ``list:home``
    ``l-home``; ``nav`` and ``sitemap`` keep theirs."""
    kind, _, rest = key.partition(":")
    if kind == "list":
        owner, _, pk = rest.partition(":")
        return f"l-{EDGE_KINDS.get(owner, owner)}{pk}" if pk else f"l-{owner}"
    return f"{EDGE_KINDS.get(kind, kind)}{rest}" if rest else key


def edge_keys(keys):
    """The edge's names for ``keys``, sorted: a stable header for equal pages."""
    return sorted({edge_key(key) for key in keys})
