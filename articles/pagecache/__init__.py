"""Whole-page caching for anonymous readers, invalidated by what each page
declares it shows.

* ``dependencies``: the keys a page depends on, declared by each view;
* ``stamps``: when each key last changed (stamped after commit by
  ``articles.changes``, the one place that turns writes into side effects);
* ``pages``: the cache around views, feeds and sitemaps;
* ``surrogates``: what an edge cache in front is told about each page (its
  keys, how long to keep it), and ``middleware``: what no shared cache may keep.
"""
