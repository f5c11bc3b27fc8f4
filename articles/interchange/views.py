from django.http import JsonResponse
from django.views.generic.detail import BaseDetailView

from articles.models import Article
from articles.pagecache import dependencies
from articles.pagecache.pages import CachedPageMixin

from .ninjs import article_to_ninjs


class ArticleNinjsView(CachedPageMixin, BaseDetailView):
    """A live article as an IPTC ninjs document, next to its page."""

    def get_queryset(self):
        return Article.objects.published().for_page()

    def render_to_response(self, context):
        document = article_to_ninjs(self.object, base_url=self.request.build_absolute_uri("/"))
        return JsonResponse(document, json_dumps_params={"ensure_ascii": False, "indent": 2})

    def get_dependencies(self, context):
        return dependencies.story_page(self.object, with_banner=False)
