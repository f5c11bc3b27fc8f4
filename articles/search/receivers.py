"""Keeping the search index in step with saves and deletes, one signal at a time.

taggit's add/set/remove/clear save and delete TaggedArticle rows one by one,
so the TaggedArticle receivers see every tag change made through it. Bulk
updates and fixtures (raw saves) send no per-row signal: code that bulk-updates
calls ``index_articles`` itself (``Tag.merge`` does); otherwise run
``manage.py rebuild_search_index``.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ..models import Article, Author, Byline, Tag, TaggedArticle
from . import engine, index_articles


def index_article(article_id):
    index_articles([article_id])


def _uses_fts5():
    """Whether this database keeps an ``articles_search`` table to write to."""
    return engine() is not None


@receiver(post_save, sender=Article)
def _article_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        index_article(instance.pk)


@receiver(post_delete, sender=Article)
def _article_deleted(sender, instance, **kwargs):
    index_article(instance.pk)


@receiver(post_save, sender=Byline)
@receiver(post_delete, sender=Byline)
@receiver(post_save, sender=TaggedArticle)
@receiver(post_delete, sender=TaggedArticle)
def _link_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        index_article(
            instance.content_object_id if sender is TaggedArticle else instance.article_id
        )


@receiver(post_save, sender=Author)
def _author_renamed(sender, instance, raw=False, **kwargs):
    if not raw and _uses_fts5():
        index_articles(Byline.objects.filter(author=instance).values_list("article_id", flat=True))


@receiver(post_save, sender=Tag)
def _tag_renamed(sender, instance, raw=False, **kwargs):
    if not raw and _uses_fts5():
        index_articles(
            TaggedArticle.objects.filter(tag=instance).values_list("content_object_id", flat=True)
        )
