from django.core.management.base import CommandError

from articles.interchange.commands import ImportCommand
from articles.languages import site_language_for, site_languages
from articles.models import Article, ArticleRedirect


class Command(ImportCommand):
    help = (
        "Import contributors' plain-text copy: headline, dateline and byline, then the "
        "body. Each file is one story, saved as a draft unless --status says otherwise."
    )
    file_format = "copy"
    section_required = True

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--language",
            metavar="CODE",
            help="The language the copy is written in (one of NEWSROOM_LANGUAGES); "
            "default: the site's.",
        )
        parser.add_argument(
            "--translation-of",
            metavar="SLUG",
            help="The story this copy translates, by its slug: it arrives linked to it.",
        )

    def story_options(self, options):
        language, original = options.get("language"), options.get("translation_of")
        # Checked once, before any file: every file would fail alike.
        if language and site_language_for(language) is None:
            known = ", ".join(site_languages())
            raise CommandError(
                f"--language {language!r} is not one of the site's languages ({known})."
            )
        if original and not (
            Article.objects.filter(slug=original).exists()
            or ArticleRedirect.objects.filter(old_slug=original).exists()
        ):
            raise CommandError(f"--translation-of: no story has the slug {original!r}.")
        return {"language": language or "", "translation_of": original or ""}
