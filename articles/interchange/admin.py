"""The admin's "Import stories" page: the import commands' work, from a browser."""

from pathlib import PurePath

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from articles.models import Article, Section

from .files import FORMAT_BY_SUFFIX, MAX_FILE_BYTES, FileResult, import_file
from .store import Vocabulary


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field, as Django's documentation shows it."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".txt,.text,.json"}))
        # An empty file is reported with the other files' results, not as a
        # form error that would stop the good files from importing.
        super().__init__(allow_empty_file=True, **kwargs)

    def clean(self, data, initial=None):
        single_clean = super().clean
        if isinstance(data, list | tuple):
            if not data:
                return single_clean(None, initial)
            return [single_clean(item, initial) for item in data]
        return [single_clean(data, initial)]


class ImportStoriesForm(forms.Form):
    files = MultipleFileField(
        help_text=f"Plain-text copy (.txt) or IPTC ninjs (.json), one story a file, up to "
        f"{MAX_FILE_BYTES // 1024 // 1024} MB each. Choose as many as you like."
    )
    section = forms.ModelChoiceField(
        Section.objects.all(),
        required=False,
        help_text="New stories go to this section. Needed for plain-text copy; ninjs stories "
        "otherwise keep the section they name, if the newsroom has it.",
    )
    status = forms.ChoiceField(
        choices=[
            (Article.Status.DRAFT, Article.Status.DRAFT.label),
            (Article.Status.IN_REVIEW, Article.Status.IN_REVIEW.label),
        ],
        initial=Article.Status.DRAFT,
        help_text="Imported stories never go live by themselves: publish them from their page.",
    )

    def clean(self):
        cleaned_data = super().clean()
        copy_files = [
            upload.name
            for upload in cleaned_data.get("files", [])
            if FORMAT_BY_SUFFIX.get(PurePath(upload.name).suffix.lower()) == "copy"
        ]
        if copy_files and not cleaned_data.get("section"):
            self.add_error(
                "section",
                f"Choose the section for the plain-text copy ({', '.join(copy_files)}).",
            )
        return cleaned_data


class ImportStoriesMixin:
    """Adds "Import stories" to the article admin, linked from the changelist."""

    # Our template adds the link and extends whatever changelist template the
    # other admin classes chose (django-reversion's has "Recover deleted").
    change_list_template = "admin/articles/article/change_list_with_import.html"

    def changelist_view(self, request, extra_context=None):
        parent = super().change_list_template or "admin/change_list.html"
        extra_context = {"import_parent_change_list_template": parent, **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_stories_view),
                name="articles_article_import",
            ),
            *super().get_urls(),
        ]

    def import_stories_view(self, request):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ImportStoriesForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            for result in self._import_uploads(request, form.cleaned_data):
                self._report(request, result)
            # The choices stay; the files are picked afresh for the next batch.
            form = ImportStoriesForm(
                initial={
                    "section": form.cleaned_data["section"],
                    "status": form.cleaned_data["status"],
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import stories",
            "form": form,
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/articles/article/import_stories.html", context)

    def _import_uploads(self, request, data):
        for upload in data["files"]:
            fmt = FORMAT_BY_SUFFIX.get(PurePath(upload.name).suffix.lower())
            if fmt is None:
                yield FileResult(
                    upload.name, problem="not a story file: choose .txt copy or .json ninjs files"
                )
                continue
            yield import_file(
                upload.name,
                upload,
                fmt=fmt,
                size=upload.size,
                section=data["section"],
                status=data["status"],
                may_update=lambda article: self.has_change_permission(request, article),
                user=request.user,
                # What the article form lets this person add, and no more.
                vocabulary=Vocabulary.of(request.user),
            )

    def _report(self, request, result):
        # Quoted, so the admin's capitalised messages do not change the file's name.
        if not result.ok:
            messages.error(request, f"“{result.name}”: {result.problem}")
            return
        outcome = result.outcome
        level = messages.WARNING if outcome.action == "skipped" else messages.SUCCESS
        change_url = reverse("admin:articles_article_change", args=[outcome.article.pk])
        messages.add_message(
            request,
            level,
            format_html('“{}”: <a href="{}">{}</a>', result.name, change_url, str(outcome)),
        )
