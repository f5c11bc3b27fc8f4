"""A site in several languages has an edition per language: ``/ar/`` lists
the live stories in Arabic, newest first, with its own feeds (``/ar/feed/``,
``/ar/feed/atom/``), and each edition is in the sitemap of pages.

A path prefix rather than ``?lang=``: each edition is a page of its own for
readers, feed readers and search engines (one address, one language, one
``<html lang>``), which is how news sites carry editions. The home page, the
sections, authors, tags and experts stay one page each, listing every
language; each story card says its language (``lang``/``dir``).
"""

from django.http import Http404
from django.urls import path, register_converter, reverse
from django.utils import translation

from . import languages
from .feeds import ArticleFeed, FullTextAtomFeed
from .models import Article
from .pagecache import dependencies
from .views import ArticleListView


class LanguageConverter:
    """One of the site's language codes: ``ar``, ``pt-br``; other paths are not editions."""

    regex = "[a-z]{2,3}(?:-[a-z0-9]{2,8})*"

    def to_python(self, value):
        if value not in languages.site_languages():
            raise ValueError(value)
        return value

    def to_url(self, value):
        return value


register_converter(LanguageConverter, "language")


class EditionView(ArticleListView):
    """The live stories in one language, newest first, 20 a page."""

    template_name = "articles/edition.html"

    def get_queryset(self):
        return super().get_queryset().filter(language=self.kwargs["language"])

    def get_context_data(self, **kwargs):
        code = self.kwargs["language"]
        return super().get_context_data(
            edition_language=code,
            edition_name=languages.language_name(code),
            edition_direction=languages.direction(code),
            **kwargs,
        )


class EditionFeed(ArticleFeed):
    """The latest live stories in one language (RSS), its ``<language>`` that one."""

    language = None  # the feed's language is the one active while it is built

    def get_object(self, request, language):
        if language not in languages.site_languages():
            raise Http404("Not one of the site's languages.")
        return language

    def get_feed(self, obj, request):
        with translation.override(obj):
            return super().get_feed(obj, request)

    def title(self, obj):
        return f"{super().title(obj)} ({languages.language_name(obj)})"

    def link(self, obj):
        return reverse("articles:edition", args=[obj])

    def stories(self, obj):
        return Article.objects.published().filter(language=obj)

    def get_dependencies(self, owner, entries):
        # A list of the whole site's stories, narrowed to one language: it
        # changes whenever the site's list does.
        return dependencies.story_list(entries, None, with_tags=True, nav=False)


class AtomEditionFeed(EditionFeed):
    feed_type = FullTextAtomFeed


urlpatterns = [
    path("<language:language>/", EditionView.as_view(), name="edition"),
    path("<language:language>/feed/", EditionFeed(), name="edition_feed"),
    path("<language:language>/feed/atom/", AtomEditionFeed(), name="edition_feed_atom"),
]
