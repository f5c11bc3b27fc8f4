"""A story's revision, written from what its admin save holds in memory.

django-reversion builds a revision from model signals: it re-reads every
relation a story's registration follows (bylines, taggings, parts) each time
the story is saved, and before writing it asks the database whether each
object it collected still exists, a query per model. A story's admin save
already holds all of that: it has just written the story, its inlines and its
tags. So the article admin keeps its revisions by hand (``story_revisions``,
its ``create_revision``) and writes them here, as the same ``Revision`` and
``Version`` rows django-reversion writes: History, restore and recover read
them as their own.
"""

from contextlib import contextmanager
from contextvars import ContextVar

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.db import router, transaction
from reversion.models import Revision, Version

from ..models import story_relations

# The stories kept in the current story_revisions block: {pk: (story, related)}.
_kept = ContextVar("newsroom_kept_stories", default=None)


@contextmanager
def story_revisions(user):
    """django-reversion's revision block, managed by hand: nothing joins it by
    itself; the stories given to ``keep()`` inside it are written as it ends,
    in its transaction, with the comment the admin gave it (the change message,
    or django-reversion's "Reverted to…")."""
    token = _kept.set({})
    using = router.db_for_write(Revision)
    try:
        with reversion.create_revision(manage_manually=True, using=using):
            reversion.set_user(user)
            yield
            kept = _kept.get()
            if kept and not transaction.get_rollback(using):
                _write(
                    kept.values(),
                    using=using,
                    user=reversion.get_user(),
                    comment=reversion.get_comment(),
                    date_created=reversion.get_date_created(),
                )
    finally:
        _kept.reset(token)


def keep(story, **related):
    """Put ``story`` in the revision being made, with what it carries: for
    each accessor of ``story_relations()``, the objects given in ``related``
    (as just saved) or, when not given, those stored."""
    kept = _kept.get()
    if kept is None:
        # Outside the article admin: django-reversion's own block, if any, collects it.
        if reversion.is_active():
            reversion.add_to_revision(story)
        return
    kept[story.pk] = (story, related)


def _write(stories, *, using, user, comment, date_created):
    revision = Revision.objects.using(using).create(
        date_created=date_created, user=user, comment=comment
    )
    Version.objects.using(using).bulk_create(
        _version(obj, revision)
        for story, related in stories
        for obj in [story, *_carried(story, related)]
    )


def _carried(story, related):
    for accessor in story_relations():
        if accessor in related:
            yield from related[accessor]
        else:
            yield from getattr(story, accessor).all()


def _version(obj, revision):
    """One object's row, as django-reversion writes it for a model registered
    with its defaults (every field, as JSON: ``articles/models/__init__``)."""
    model = type(obj)
    return Version(
        revision=revision,
        content_type=ContentType.objects.get_for_model(model),
        object_id=str(obj.pk),
        db=router.db_for_write(model, instance=obj),
        format="json",
        serialized_data=serializers.serialize("json", [obj]),
        object_repr=str(obj),
    )
