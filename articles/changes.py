"""The one place where writes turn into side effects.

Model signals (and ``articles.signals.stories_changed`` for bulk writes that
send none) only *record* what changed, in one ``Changes`` per transaction.
After the transaction commits, ``apply_changes`` runs once for all of it:

* the changed stories are re-indexed for search, by one task;
* each page that shows something that changed is invalidated once, by the
  dependency keys the pages declared (``articles/pagecache/dependencies.py``):
  here and now in the page cache, then at the edge (``articles/edge/``) by a
  task, and again when a story saved to go live later does;
* each new picture gets its renditions, by a task.

Tasks run at once unless a worker is configured (``articles/tasks.py`` says
what runs where, and why).

A change that is rolled back stays recorded until the connection's next commit
applies it: an extra refresh is harmless, a missed one is not. A failure here
(the cache or the search index down) is logged, never raised: the write has
committed and its author must hear that it did.
"""

import logging
from dataclasses import dataclass, field
from functools import partial

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from . import tasks
from .models import (
    Article,
    Author,
    Banner,
    Byline,
    Correction,
    Expert,
    ExpertQuote,
    Front,
    Placement,
    Section,
    Tag,
    TaggedArticle,
    story_parts,
)
from .pagecache import stamps
from .pagecache.dependencies import (
    AUTHORS_INDEX,
    BANNER,
    CORRECTIONS_LIST,
    HOME_LIST,
    NAV,
    SITEMAP,
    front_key,
    list_key,
    object_key,
    story_key,
    story_page_key,
    story_sitemap_key,
)
from .pictures import renditions
from .signals import stories_changed
from .sitemaps import ArticleSitemap

logger = logging.getLogger(__name__)

LISTED = Article.Status.PUBLISHED  # live or scheduled: in lists now or at its time


@dataclass
class Changes:
    """What one transaction changed."""

    # Stories whose words or links changed: re-indexed, their pages and cards refreshed.
    stories: set = field(default_factory=set)
    # Stories of which only their own page changed (quotes, tags, corrections).
    story_pages: set = field(default_factory=set)
    # Stories whose search index row changed without their card (tags).
    reindex: set = field(default_factory=set)
    # Stories that joined, left or moved in the lists (new, deleted, published,
    # unpublished, re-timed): every list they are in is refreshed.
    moved: set = field(default_factory=set)
    # (story id, list key): one list the story joined, left or changed in.
    lists: set = field(default_factory=set)
    # Only stories that are (or were, for ``listed_before``) in the site's lists
    # change lists and sitemaps.
    listed_before: set = field(default_factory=set)
    # Other pages' keys: an author's or a section's own fields, the navigation…
    keys: set = field(default_factory=set)
    # Authors and tags whose name may have changed: their stories' index rows carry it.
    renamed: set = field(default_factory=set)
    # (field file, kind of rendition, focal point or None) of each picture a write
    # brought or re-framed: it needs renditions.
    pictures: list = field(default_factory=list)

    def __bool__(self):
        return any(vars(self).values())


def record(using=None, **changed):
    """Add to what the current transaction changed; applied once after it commits."""
    connection = transaction.get_connection(using)
    pending = getattr(connection, "newsroom_changes", None)
    if pending is None:
        pending = connection.newsroom_changes = Changes()
    for name, values in changed.items():
        target = getattr(pending, name)
        if isinstance(target, list):
            target.extend(values)
        else:
            target.update(values)
    # Every record asks; the first callback after the commit applies everything.
    transaction.on_commit(partial(_apply_pending, connection), using=using, robust=True)


def _apply_pending(connection):
    pending = getattr(connection, "newsroom_changes", None)
    connection.newsroom_changes = None
    if pending:
        apply_changes(pending)


def apply_changes(changes):
    """Re-index, invalidate and make renditions once for everything in ``changes``."""
    stories = changes.stories | changes.story_pages
    keys = set(changes.keys)
    keys.update(story_key(pk) for pk in changes.stories)
    keys.update(story_page_key(pk) for pk in stories)
    listing = Article.objects.filter(pk__in=stories).order_by().listing()
    listed = changes.listed_before | {pk for pk, (status, _) in listing.items() if status == LISTED}
    if listed:
        # Its lastmod is the story's latest change: the index and the sitemaps
        # of what it is in, and the one page of the stories' sitemap it is on.
        keys.add(SITEMAP)
        keys.update(story_sitemap_key(ArticleSitemap.page_of(pk)) for pk in listed)
        keys.update(key for pk, key in changes.lists if pk in listed)
    if changes.moved and stamps.banner_leads_to(changes.moved):
        keys.add(BANNER)  # a banner leading to a story shows only while the story is live
    if moved := changes.moved & listed:
        keys.add(HOME_LIST)
        for pk in moved & listing.keys():
            keys.update(list_key(name, owner_pk) for name, owner_pk in listing[pk][1])
    to_index = changes.stories | changes.reindex
    for model, pk in changes.renamed:
        to_index.update(
            Article.objects.for_owner(model(pk=pk)).values_list("pk", flat=True).order_by()
        )
    # Enqueued first: a cache that is down (invalidate raises) holds back no index.
    if to_index:
        tasks.reindex_stories.enqueue(sorted(to_index))
    stamps.invalidate(keys)
    # After the page cache: the edge's next request must meet a fresh page.
    tasks.request_purge(keys, stories=moved)
    # One task a picture, for every shape of it the write needs.
    shapes = {}
    for field_file, kind, focus in changes.pictures:
        shapes.setdefault((field_file.name, focus), (field_file, []))[1].append(kind)
    for (_, focus), (field_file, kinds) in shapes.items():
        tasks.request_renditions(field_file, kinds, focus)


# -- what each write records ------------------------------------------------------


def _stored(instance, name):
    """The value ``name`` had when the instance was loaded (see StoredValues)."""
    return getattr(instance, "stored_values", {}).get(name)


def _article_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    sections = {_stored(instance, "section_id"), instance.section_id} - {None}
    moved = created or any(
        _stored(instance, name) != getattr(instance, name)
        for name in ("status", "published_at", "embargoed_until")
    )
    record(
        stories={instance.pk},
        moved={instance.pk} if moved else (),
        lists={(instance.pk, list_key("section", pk)) for pk in sections},
        listed_before={instance.pk} if _stored(instance, "status") == LISTED else (),
        pictures=_hero_renditions(instance),
    )
    instance.remember_stored_values()


def _new_picture(instance, field_name, kind):
    """The picture in ``field_name`` if this write brought it: renditions are
    made once for each upload, not on every save of its story or person."""
    field_file = getattr(instance, field_name)
    if field_file and field_file != _stored(instance, field_name):
        return [(field_file, kind, None)]
    return []


def _hero_renditions(article):
    """The hero as the story page, the fronts and social sites show it, when
    this write brought the picture or moved its focal point."""
    if not article.hero_image:
        return []
    focus = (article.hero_focus_x, article.hero_focus_y)
    moved = focus != (_stored(article, "hero_focus_x"), _stored(article, "hero_focus_y"))
    if article.hero_image == _stored(article, "hero_image") and not moved:
        return []
    return [(article.hero_image, kind, focus) for kind in renditions.STORY_KINDS]


def _article_deleted(sender, instance, **kwargs):
    record(
        stories={instance.pk},
        moved={instance.pk},
        lists={(instance.pk, list_key("section", instance.section_id))},
        listed_before={instance.pk} if instance.status == LISTED else (),
    )


def _link_changed(owner_name, owner_field, *, on_cards, indexed):
    """A byline, quote or tagging: its story (bylines show on every card of it,
    quotes and tags only on its own page; bylines and tags are searched), and
    the lists of its owner before and after."""

    def receiver(sender, instance, raw=False, **kwargs):
        if raw:
            return
        article_id = instance.content_object_id if sender is TaggedArticle else instance.article_id
        owners = {getattr(instance, owner_field), _stored(instance, owner_field)} - {None}
        record(
            stories={article_id} if on_cards else (),
            story_pages={article_id},
            reindex={article_id} if indexed else (),
            lists={(article_id, list_key(owner_name, pk)) for pk in owners},
        )

    return receiver


def _part_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        record(story_pages={instance.story_id}, keys=instance.recorded_keys())


def _bylines_added(sender, instance, action, reverse, pk_set, **kwargs):
    # article.authors.add() writes bylines with bulk_create: no post_save.
    # Removing and clearing delete row by row, so post_delete covers them.
    if action != "post_add" or not pk_set:
        return
    if reverse:
        pairs = [(article_id, instance.pk) for article_id in pk_set]
    else:
        pairs = [(instance.pk, author_id) for author_id in pk_set]
    record(
        stories={article_id for article_id, _ in pairs},
        lists={(article_id, list_key("author", author_id)) for article_id, author_id in pairs},
    )


def _owner_changed(sender, instance, signal, created=False, raw=False, **kwargs):
    if raw:
        return
    keys = {object_key(instance), SITEMAP}
    if sender is Author:
        keys.add(AUTHORS_INDEX)
    navigation = ("name", "slug", "position")
    if sender is Section and (
        signal is not post_save
        or any(_stored(instance, name) != getattr(instance, name) for name in navigation)
    ):
        keys.add(NAV)  # every page lists sections by name, in order
        instance.remember_stored_values()
    renamed = signal is post_save and not created and sender in (Author, Tag)
    photo = signal is post_save and sender in (Author, Expert)
    record(
        keys=keys,
        renamed={(sender, instance.pk)} if renamed else (),
        pictures=_new_picture(instance, "photo", "portrait") if photo else [],
    )
    if photo:
        instance.remember_stored_values()


def _correction_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        record(story_pages={instance.article_id}, keys={CORRECTIONS_LIST})


def _front_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    sections = {instance.section_id}
    if "section_id" in getattr(instance, "stored_values", {}):
        sections.add(_stored(instance, "section_id"))  # the page it was the front of
    record(keys={front_key(section_id) for section_id in sections})
    instance.remember_stored_values()


def _placement_changed(sender, instance, signal, raw=False, **kwargs):
    if raw:
        return
    try:
        section_id = instance.front.section_id
    except Front.DoesNotExist:
        return  # deleted with its front, which records the change itself
    pictures = []
    if signal is post_save and instance.picture:
        focus = (instance.picture_focus_x, instance.picture_focus_y)
        pictures = [(instance.picture, "wide", focus)]
    record(keys={front_key(section_id)}, pictures=pictures)


def _banner_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        record(keys={BANNER})


def _bulk_write(sender, stories=(), lists=(), **kwargs):
    stories = set(stories)
    record(stories=stories, reindex=stories, lists={(pk, key) for pk in stories for key in lists})


def connect():
    """Called once from ``ArticlesConfig.ready``."""
    post_save.connect(_article_saved, sender=Article, dispatch_uid="changes-article-saved")
    post_delete.connect(_article_deleted, sender=Article, dispatch_uid="changes-article-deleted")
    links = [
        (Byline, _link_changed("author", "author_id", on_cards=True, indexed=True)),
        (TaggedArticle, _link_changed("tag", "tag_id", on_cards=False, indexed=True)),
        (ExpertQuote, _link_changed("expert", "expert_id", on_cards=False, indexed=False)),
    ]
    for model, receiver in links:
        label = model._meta.label
        post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"changes-{label}-s")
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"changes-{label}-d")
    # Parts a story type adds (StoryPart): their story's page.
    for model in story_parts():
        if model is not ExpertQuote:
            label = model._meta.label
            post_save.connect(_part_changed, sender=model, dispatch_uid=f"changes-{label}-s")
            post_delete.connect(_part_changed, sender=model, dispatch_uid=f"changes-{label}-d")
    m2m_changed.connect(_bylines_added, sender=Byline, dispatch_uid="changes-bylines-added")
    for model in (Section, Author, Expert, Tag):
        label = model._meta.label
        post_save.connect(_owner_changed, sender=model, dispatch_uid=f"changes-{label}-s")
        post_delete.connect(_owner_changed, sender=model, dispatch_uid=f"changes-{label}-d")
    post_save.connect(_correction_changed, sender=Correction, dispatch_uid="changes-correction-s")
    post_delete.connect(_correction_changed, sender=Correction, dispatch_uid="changes-correction-d")
    for model, receiver in ((Front, _front_changed), (Placement, _placement_changed)):
        label = model._meta.label
        post_save.connect(receiver, sender=model, dispatch_uid=f"changes-{label}-s")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"changes-{label}-d")
    post_save.connect(_banner_changed, sender=Banner, dispatch_uid="changes-banner-s")
    post_delete.connect(_banner_changed, sender=Banner, dispatch_uid="changes-banner-d")
    stories_changed.connect(_bulk_write, dispatch_uid="changes-bulk-write")
