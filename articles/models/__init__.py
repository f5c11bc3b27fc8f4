"""Newsroom's models, one module per thing a newsroom keeps."""

import reversion

from .article import Article, ArticleQuerySet, ArticleRedirect, Byline, new_article_guid
from .base import StoryPart
from .correction import Correction
from .front import Banner, Front, Placement
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
    "Banner",
    "Byline",
    "Correction",
    "Expert",
    "Front",
    "ExpertQuote",
    "Placement",
    "SearchDocument",
    "Section",
    "StoryPart",
    "Tag",
    "TagMerge",
    "TagRedirect",
    "TaggedArticle",
    "live",
    "new_article_guid",
    "story_parts",
    "story_relations",
]


def story_parts():
    """Every model built on ``StoryPart``: quotes, and whatever a story type adds."""
    return StoryPart.__subclasses__()


def story_relations():
    """What a story's revision carries with it: the accessors of its bylines,
    its taggings and its parts."""
    return [
        "bylines",
        "taggedarticle_set",
        *(
            part._meta.get_field(part.story_field).remote_field.get_accessor_name()
            for part in story_parts()
        ),
    ]


# Revisions (django-reversion): a revision of an article carries its bylines,
# tags and parts (quotes…), so restoring one brings all of them back. Corrections
# are left out on purpose: restoring an old text never removes a published correction.
for _model in (Byline, TaggedArticle, *story_parts()):
    reversion.register(_model)
# A front's revision carries its placements: restoring one brings back the page
# as the desk had arranged it. Banners keep revisions of their own.
reversion.register(Placement)
reversion.register(Front, follow=["placements"])
reversion.register(Banner)
reversion.register(Article, follow=story_relations())
