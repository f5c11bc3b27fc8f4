"""The admin: the desk's stories (``article``: one ``ArticleAdmin`` with its
form, inlines, list columns, filters and actions in modules of their own),
tags (``tags``, and the article form's ``tag_field``), sections, authors and
experts (``people``), the fronts and the breaking-news banner (``fronts``), live coverage and
its quick form (``live``) and
the task queue's results (``tasks``). Importing the package registers them all."""

from . import article, fronts, live, people, tags, tasks  # noqa: F401
