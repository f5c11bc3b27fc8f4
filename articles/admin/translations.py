"""Translations in the article admin: the language and "translation of"
fields, the "Translate into…" button on an original, and, on a translation,
the original's text beside the form while translating, with what changed in
it since.

Each version is then a story of its own: reviewed, corrected and published
through the usual workflow (``ArticleAdmin``).
"""

import reversion
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join

from .. import languages, translations
from ..models import Author

# The fields a translator writes in the story's language.
WRITTEN_FIELDS = {"headline", "dek", "hero_caption", "hero_credit", "hero_alt"}


class KeepsTheLanguage:
    """A form sent without a language (an older form, a script) keeps the
    story's language, rather than failing, resetting it or counting it changed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound and "language" in self.fields and "language" not in self.data:
            self.fields["language"].disabled = True


class TranslationsMixin:
    """Mixed into ``ArticleAdmin``."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "language":
            return forms.ChoiceField(
                label="Language",
                choices=languages.choices(),
                initial=languages.default_language(),
                help_text=db_field.help_text,
            )
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name in WRITTEN_FIELDS and field is not None:
            # Typed in Arabic, shown right to left; in English, left to right.
            field.widget.attrs["dir"] = "auto"
        return field

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (KeepsTheLanguage, form), {})

    def get_urls(self):
        translate = path(
            "<path:object_id>/translate/",
            self.admin_site.admin_view(self.translate_view),
            name="articles_article_translate",
        )
        return [translate, *super().get_urls()]

    @transaction.atomic
    def translate_view(self, request, object_id):
        """POST ``language``: starts the translation and opens it."""
        original = get_object_or_404(self.get_queryset(request), pk=object_id)
        back = reverse("admin:articles_article_change", args=[original.pk])
        if request.method != "POST":
            return redirect(back)
        if not self.has_add_permission(request):
            raise PermissionDenied
        language = request.POST.get("language", "")
        translator = Author.objects.filter(user=request.user).first()
        try:
            with reversion.create_revision():
                translation = translations.start_translation(
                    original, language, translator=translator
                )
                reversion.set_user(request.user)
                reversion.set_comment(
                    f"Started as the {languages.language_name(language)} translation "
                    f"of “{translation.translation_of}”."
                )
        except (translations.CannotTranslate, ValidationError) as refusal:
            message = refusal.messages[0] if isinstance(refusal, ValidationError) else refusal
            self.message_user(request, f"No translation was started: {message}", messages.ERROR)
            return redirect(back)
        self.message_user(
            request,
            f"The {translation.language_name} translation of “{original}” was started as "
            "a draft, with its structure copied: translate the headline, standfirst, text, "
            "quotes and caption. The original is beside the form.",
            messages.SUCCESS,
        )
        return redirect("admin:articles_article_change", translation.pk)

    def response_change(self, request, obj):
        self._offer_to_carry_corrections(request, obj)
        return super().response_change(request, obj)

    def _offer_to_carry_corrections(self, request, article):
        """A correction added to an original: its translations need it too, in
        their own words. Each translation's form lists it until saved again."""
        if article.translation_of_id is not None or not _added_a_correction(request.POST):
            return
        translations = list(article.translations.all())
        if not translations:
            return
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            (
                (reverse("admin:articles_article_change", args=[t.pk]), t.language_name)
                for t in translations
            ),
        )
        self.message_user(
            request,
            format_html(
                "This story has translations ({}): carry the correction over to each, in "
                "its language. Their forms list it until they are saved again.",
                links,
            ),
            messages.WARNING,
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk is not None:
            context.update(self._translation_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _translation_context(self, request, article):
        if article.translation_of_id is not None:
            original = article.translation_of
            status = translations.translation_status(article, original)
            return {
                "translation_source": original,
                "translation_source_direction": languages.direction(original.language),
                "translation_out_of_date": status == translations.Status.OUT_OF_DATE,
                "corrections_to_carry": translations.corrections_since_translated(article),
                "translation_source_url": reverse(
                    "admin:articles_article_change", args=[original.pk]
                ),
            }
        rows = translations.family_status(article)
        return {
            "translation_rows": [
                (
                    code,
                    name,
                    status,
                    reverse("admin:articles_article_change", args=[version.pk]) if version else "",
                )
                for code, name, status, version in rows
            ],
            "translate_into": [(code, name) for code, name, status, _ in rows if status == "needed"]
            if self.has_add_permission(request)
            else [],
            "translate_url": reverse("admin:articles_article_translate", args=[article.pk]),
        }


def _added_a_correction(data, prefix="corrections"):
    try:
        initial = int(data.get(f"{prefix}-INITIAL_FORMS", 0))
        total = int(data.get(f"{prefix}-TOTAL_FORMS", 0))
    except ValueError:
        return False
    return any(data.get(f"{prefix}-{i}-text", "").strip() for i in range(initial, total))
