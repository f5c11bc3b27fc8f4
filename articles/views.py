from django.conf import settings
from django.db.models import Count, Q
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, ListView

from .caching import CachedPageMixin
from .models import (
    Article,
    ArticleRedirect,
    Author,
    Correction,
    Expert,
    ExpertQuote,
    Section,
    Tag,
    TagRedirect,
)
from .publishing import preview
from .search import MAX_QUERY_LENGTH, search


class ForgivingPaginationMixin:
    """``?page=abc``, ``?page=-1`` or ``?page=99999`` show the nearest real page
    instead of an error: readers arrive with mangled links from everywhere."""

    paginate_by = settings.NEWSROOM_ARTICLES_PER_PAGE

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


class ArticleListView(CachedPageMixin, ForgivingPaginationMixin, ListView):
    """A paginated list of live articles, newest first."""

    template_name = "articles/article_list.html"
    context_object_name = "articles"

    def get_queryset(self):
        return Article.objects.published().newest_first().for_listing()


class HomeView(ArticleListView):
    template_name = "articles/home.html"


class ArticleDetailView(CachedPageMixin, preview.PreviewMixin, DetailView):
    context_object_name = "article"

    def get_queryset(self):
        # Staff also get the unpublished stories they may edit, shown as a preview.
        return Article.objects.visible_to(self.request.user).for_page()

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # A story that was live under an earlier address: send readers on.
            moved = ArticleRedirect.objects.filter(
                old_slug=kwargs["slug"], article__in=Article.objects.visible_to(request.user)
            ).first()
            if moved is None:
                raise
            return redirect(moved.article, permanent=True)


class SharedPreviewView(ArticleDetailView):
    """An unpublished story for someone without an account, by a signed link."""

    def get_object(self, queryset=None):
        pk = preview.article_pk_from_token(self.kwargs["token"])
        return get_object_or_404(Article.objects.for_page(), pk=pk)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.is_published:
            return redirect(self.object)
        return self.render_to_response(self.get_context_data(object=self.object))


class CorrectionListView(ForgivingPaginationMixin, ListView):
    """Every correction, clarification and update on live stories, newest first."""

    template_name = "articles/correction_list.html"
    context_object_name = "corrections"

    def get_queryset(self):
        return Correction.objects.published().newest_first().select_related("article")


class _FilteredArticleListView(ArticleListView):
    """An article list belonging to one object (an author, a section, a tag)."""

    owner_model = None
    owner_context_name = None

    def get_owner(self):
        return get_object_or_404(self.owner_model, slug=self.kwargs["slug"])

    def filter_articles(self, queryset, owner):
        raise NotImplementedError

    def get_queryset(self):
        self.owner = self.get_owner()
        return self.filter_articles(super().get_queryset(), self.owner)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**{self.owner_context_name: self.owner, **kwargs})


class AuthorListView(ForgivingPaginationMixin, ListView):
    """Every byline readers can follow: current staff, and former staff whose
    stories are still online, with how many published stories each has."""

    template_name = "articles/author_list.html"
    context_object_name = "authors"
    paginate_by = 60

    def get_queryset(self):
        live = Article.objects.published()
        return (
            Author.objects.annotate(
                story_count=Count("bylines", filter=Q(bylines__article__in=live))
            )
            .filter(Q(is_active=True) | Q(story_count__gt=0))
            .order_by("name", "pk")
        )


class AuthorDetailView(_FilteredArticleListView):
    template_name = "articles/author_detail.html"
    owner_model = Author
    owner_context_name = "author"

    def filter_articles(self, queryset, owner):
        return queryset.filter(bylines__author=owner)


class SectionView(_FilteredArticleListView):
    template_name = "articles/section_detail.html"
    owner_model = Section
    owner_context_name = "section"

    def filter_articles(self, queryset, owner):
        return queryset.filter(section=owner)


class TagView(_FilteredArticleListView):
    template_name = "articles/tag_detail.html"
    owner_model = Tag
    owner_context_name = "tag"

    def filter_articles(self, queryset, owner):
        return queryset.filter(tags=owner)

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            # Only an unknown slug costs the extra query: a renamed or merged tag's old address.
            moved = get_object_or_404(
                TagRedirect.objects.select_related("tag"), old_slug=kwargs["slug"]
            )
            query = request.GET.urlencode()
            url = moved.tag.get_absolute_url() + (f"?{query}" if query else "")
            return HttpResponsePermanentRedirect(url)


class ExpertDetailView(CachedPageMixin, ForgivingPaginationMixin, ListView):
    """An expert's profile and every published quote of theirs."""

    template_name = "articles/expert_detail.html"
    context_object_name = "quotes"

    def get_queryset(self):
        self.expert = get_object_or_404(Expert, slug=self.kwargs["slug"])
        return (
            ExpertQuote.objects.published()
            .filter(expert=self.expert)
            .select_related("article")
            .order_by("-article__published_at", "position")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(expert=self.expert, **kwargs)


class SearchView(ForgivingPaginationMixin, ListView):
    """Published stories matching ``?q=``, best match first. Not page-cached:
    every query is different, and results must follow edits at once."""

    template_name = "articles/search.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.query = self.request.GET.get("q", "").strip()
        return search(self.query)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            query=self.query, max_query_length=MAX_QUERY_LENGTH, **kwargs
        )
