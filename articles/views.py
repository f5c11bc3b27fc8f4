from django.conf import settings
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView, View

from .fronts import front_page
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
from .models.article import bylines_in_order
from .pagecache import dependencies
from .pagecache.dependencies import story_key
from .pagecache.pages import CachedPageMixin
from .pictures import share_card
from .publishing import preview
from .search import MAX_QUERY_LENGTH, result_limit, search
from .translations import versions_key
from .views_live import LiveStoryMixin


class PageOfUncountedList(Page):
    def __init__(self, object_list, number, paginator, *, has_next):
        super().__init__(object_list, number, paginator)
        self._has_next = has_next

    def has_next(self):
        return self._has_next


class UncountedPaginator(Paginator):
    """Pages of a list that may be long, without counting it: each page reads
    one story more than it shows to know whether an older page follows. (A
    section's "Page 1 of 2,450" counted its 49,000 live stories on every
    render: 26 ms at a million stories, growing with the archive.) Only a
    link past the last page counts, to show the last page instead."""

    # Read by the pagination template: no "of N" where N is not known.
    uncounted = True

    def validate_number(self, number):
        # Any whole number from 1 is a page until reading it finds it empty.
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        return number

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        rows = list(self.object_list[bottom : bottom + self.per_page + 1])
        if not rows and number > 1:
            raise EmptyPage(self.error_messages["no_results"])
        return PageOfUncountedList(
            rows[: self.per_page], number, self, has_next=len(rows) > self.per_page
        )

    def get_page(self, number):
        try:
            return super().get_page(number)
        except EmptyPage:  # past the last page: the one place it counts
            return self.page(self.num_pages)


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
    paginator_class = UncountedPaginator

    def get_queryset(self):
        return Article.objects.published().newest_first().for_cards()

    def get_dependencies(self, context):
        return dependencies.story_list(context["articles"])


class HomeView(CachedPageMixin, TemplateView):
    """The home page: the lead and top stories as the desk placed them, then
    each section's latest stories."""

    template_name = "articles/home.html"
    cache_query_params = ()

    def get_context_data(self, **kwargs):
        return super().get_context_data(front=front_page(), **kwargs)

    def get_dependencies(self, context):
        return dependencies.front_page(context["front"])


class ArticleDetailView(CachedPageMixin, preview.PreviewMixin, LiveStoryMixin, DetailView):
    context_object_name = "article"

    def get_queryset(self):
        # Staff also get the unpublished stories they may edit, shown as a preview.
        return Article.objects.visible_to(self.request.user).for_page()

    def get_dependencies(self, context):
        # Its language switch and hreflang links show the story's versions: each
        # one's save stamps its own key; one scheduled to go live changes the page then.
        family = self.object.versions
        keys = {versions_key(self.object.original_id), *(story_key(v.pk) for v in family)}
        versions = dependencies.Dependencies(
            frozenset(keys), is_list=any(v.is_scheduled for v in family)
        )
        return dependencies.story_page(self.object) | versions | self.live_dependencies(context)

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


class ShareCardView(CachedPageMixin, View):
    """A live story's generated share card (``articles.pictures.share_card``),
    for the social sites and search engines its page points to when the story
    has no picture of its own."""

    def get(self, request, slug, shape):
        if shape not in share_card.SHAPES:
            raise Http404("No such shape.")
        self.article = get_object_or_404(
            Article.objects.published().select_related("section"), slug=slug
        )
        section = self.article.section.name if self.article.section else ""
        png = share_card.draw(self.article.headline, section, settings.NEWSROOM_SITE_NAME, shape)
        return HttpResponse(png, content_type="image/png")

    def get_dependencies(self, context):
        return dependencies.share_card(self.article)


class SharedPreviewView(ArticleDetailView):
    """An unpublished story for someone without an account, by a signed link."""

    def get_object(self, queryset=None):
        pk, made_for_embargo = preview.article_pk_from_token(self.kwargs["token"])
        article = get_object_or_404(Article.objects.for_page(), pk=pk)
        preview.refuse_during_embargo(article, made_for_embargo)
        return article

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.is_published:
            return redirect(self.object)
        return self.render_to_response(self.get_context_data(object=self.object))


class CorrectionListView(CachedPageMixin, ForgivingPaginationMixin, ListView):
    """Every correction, clarification and update on live stories, newest first."""

    template_name = "articles/correction_list.html"
    context_object_name = "corrections"

    def get_queryset(self):
        return Correction.objects.published().newest_first().select_related("article")

    def get_dependencies(self, context):
        return dependencies.correction_list(context["corrections"])


class _OwnedArticleListView(ArticleListView):
    """The live stories of one section, author or tag."""

    owner_model = None

    def get_queryset(self):
        self.owner = get_object_or_404(self.owner_model, slug=self.kwargs["slug"])
        return super().get_queryset().for_owner(self.owner)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**{self.owner_model._meta.model_name: self.owner, **kwargs})

    def get_dependencies(self, context):
        return dependencies.story_list(context["articles"], owner=self.owner)


class AuthorListView(CachedPageMixin, ForgivingPaginationMixin, ListView):
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

    def get_dependencies(self, context):
        return dependencies.author_index(context["authors"])


class AuthorDetailView(_OwnedArticleListView):
    template_name = "articles/author_detail.html"
    owner_model = Author


class SectionView(_OwnedArticleListView):
    """A section's front (its lead and top stories), then the rest of its
    stories, newest first, 20 a page."""

    template_name = "articles/section_detail.html"
    owner_model = Section

    def get_queryset(self):
        stories = super().get_queryset()
        self.front = front_page(self.owner, with_bylines=False)
        # The list's bylines are fetched with the front's, in one query.
        return stories.exclude(pk__in=self.front.story_pks).prefetch_related(None)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(front=self.front, **kwargs)
        stories = [*self.front.articles, *context["articles"]]
        prefetch_related_objects(stories, bylines_in_order())
        return context

    def get_dependencies(self, context):
        return super().get_dependencies(context) | dependencies.front_page(self.front)


class TagView(_OwnedArticleListView):
    template_name = "articles/tag_detail.html"
    owner_model = Tag

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


class ExpertDetailView(_OwnedArticleListView):
    """An expert's profile and each live story that quotes them, once, with
    what they said in it underneath."""

    template_name = "articles/expert_detail.html"
    owner_model = Expert

    def get_queryset(self):
        # Headlines, dates and quotes: none of a list's sections and bylines.
        self.owner = get_object_or_404(Expert, slug=self.kwargs["slug"])
        quotes = ExpertQuote.objects.filter(expert=self.owner).order_by("position", "pk")
        return (
            Article.objects.published()
            .for_owner(self.owner)
            .newest_first()
            .prefetch_related(Prefetch("quotes", queryset=quotes, to_attr="quotes_of_the_expert"))
        )

    def get_dependencies(self, context):
        return dependencies.quoted_in(self.owner, context["articles"])


@method_decorator(never_cache, name="dispatch")
class SearchView(ForgivingPaginationMixin, ListView):
    """Published stories matching ``?q=``, best match first. Never cached:
    every query is different, and results must follow edits at once."""

    template_name = "articles/search.html"
    context_object_name = "articles"

    def get_queryset(self):
        self.query = self.request.GET.get("q", "").strip()
        return search(self.query)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            query=self.query,
            max_query_length=MAX_QUERY_LENGTH,
            result_limit=result_limit(),
            **kwargs,
        )


class RobotsView(CachedPageMixin, TemplateView):
    template_name = "robots.txt"
    content_type = "text/plain"

    def get_dependencies(self, context):
        return dependencies.FIXED
