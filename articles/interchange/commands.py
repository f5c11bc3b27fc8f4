"""What the import commands share: read each named file, report it as soon as it is
done, exit non-zero on failure."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from articles.models import Article, Section

from .files import FileResult, import_file

STATUS_CHOICES = [Article.Status.DRAFT, Article.Status.IN_REVIEW, Article.Status.PUBLISHED]


class ImportCommand(BaseCommand):
    file_format = None  # "copy" or "ninjs"
    section_required = False

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")
        parser.add_argument(
            "--section",
            metavar="SLUG",
            required=self.section_required,
            help="The section (desk) the new stories go to, by its slug.",
        )
        parser.add_argument(
            "--status",
            choices=STATUS_CHOICES,
            default=Article.Status.DRAFT,
            help="The status of new stories (default: draft, for the desk to check). "
            "Publishing needs --editor.",
        )
        parser.add_argument(
            "--editor",
            metavar="USERNAME",
            help="The editor who publishes, with --status published: the stories go live "
            "only if this account may publish them.",
        )

    def handle(self, *args, files, section, status, editor, **options):
        user = None
        if editor:
            user = get_user_model().objects.filter(username=editor).first()
            if user is None:
                raise CommandError(f"No user with the username {editor!r}.")
        if status == Article.Status.PUBLISHED and user is None:
            raise CommandError("--status published needs --editor USERNAME: who publishes?")
        section_obj = None
        if section:
            section_obj = Section.objects.filter(slug=section).first()
            if section_obj is None:
                known = ", ".join(Section.objects.values_list("slug", flat=True)) or "none yet"
                raise CommandError(f"No section with the slug {section!r} (sections: {known}).")

        failed = 0
        for name in files:
            result = self.import_path(
                Path(name), section_obj, status, user, **self.story_options(options)
            )
            # Each file's line as soon as its story is committed, flushed: a run
            # that is killed has told what it finished, and a re-run does the rest.
            if result.ok:
                self.stdout.write(self.style.SUCCESS(str(result)))
                self.stdout.flush()
            else:
                failed += 1
                self.stderr.write(self.style.ERROR(str(result)))
                self.stderr.flush()
        if failed:
            raise CommandError(f"{failed} of {len(files)} files could not be imported.")

    def story_options(self, options):
        """What a command's own options say about every story (``import_file``'s keywords)."""
        return {}

    def import_path(self, path, section, status, user, **story_options):
        try:
            with path.open("rb") as fileobj:
                return import_file(
                    str(path),
                    fileobj,
                    fmt=self.file_format,
                    size=path.stat().st_size,
                    section=section,
                    status=status,
                    user=user,
                    **story_options,
                )
        except OSError as error:
            return FileResult(str(path), problem=f"cannot be read: {error.strerror}")
