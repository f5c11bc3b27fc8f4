"""Signals of our own, for writes that model signals do not see."""

from django.dispatch import Signal

# Sent after a bulk write (``QuerySet.update()``, ``bulk_create()``) changed
# stories' content or links, with ``stories`` (their ids) and ``lists`` (keys of
# lists they joined or left, e.g. "list:tag:5"). ``articles.changes`` receives it.
stories_changed = Signal()
