"""Newsroom's models, one module per thing a newsroom keeps."""

import reversion

from .article import Article, ArticleQuerySet, ArticleRedirect, Byline, new_article_guid
from .correction import Correction
from .people import Author, Expert
from .publication import live
from .quote import ExpertQuote
from .search import SearchDocument
from .section import Section
from .tag import Tag, TaggedArticle, TagMerge, TagRedirect

__all__ = [
    "Article",
    "ArticleQuerySet",
    "ArticleRedirect",
    "Author",
    "Byline",
    "Correction",
    "Expert",
    "ExpertQuote",
    "SearchDocument",
    "Section",
    "Tag",
    "TagMerge",
    "TagRedirect",
    "TaggedArticle",
    "live",
    "new_article_guid",
]

# Revisions (django-reversion): a revision of an article carries its bylines,
# quotes and tags, so restoring one brings all of them back. Corrections are
# left out on purpose: restoring an old text never removes a published correction.
reversion.register(Byline)
reversion.register(ExpertQuote)
reversion.register(TaggedArticle)
reversion.register(Article, follow=["bylines", "quotes", "taggedarticle_set"])
