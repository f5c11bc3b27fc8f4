from django.core.management.base import BaseCommand, CommandError

from articles.pictures import check
from articles.pictures.storage import StorageUnavailable


class Command(BaseCommand):
    help = (
        "Check the pictures in the media storage (MEDIA_ROOT or the bucket): originals "
        "without renditions, broken renditions, temporary files left by interrupted writes, "
        "and files no row points at. With --repair, remake and remove them. Exits non-zero "
        "while problems remain."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair",
            action="store_true",
            help="Remake missing and broken renditions; remove temporary and unreferenced "
            f"files older than {check.GRACE // 60} minutes.",
        )
        parser.add_argument(
            "--decode",
            action="store_true",
            help="Decode every rendition, not only its header and end (slow on a big site).",
        )

    def handle(self, *args, repair, decode, **options):
        try:
            report = check.check(decode=decode)
            for problem in report.problems:
                self.stdout.write(str(problem))
            remaining = check.repair(report) if repair else report.problems
        except StorageUnavailable as error:
            # An outage says nothing about the files: report it, judge nothing.
            raise CommandError(f"The media storage did not answer: {error}") from None
        if repair:
            for problem in report.problems:
                if problem not in remaining:
                    self.stdout.write(self.style.SUCCESS(f"repaired: {problem.name}"))
        self.stdout.write(
            f"{report.pictures} pictures, {report.renditions} renditions checked; "
            f"{len(report.problems)} problems found"
            + (f", {len(report.problems) - len(remaining)} repaired." if repair else ".")
        )
        if remaining and repair:
            for problem in remaining:
                self.stderr.write(self.style.ERROR(f"not repaired: {problem}"))
        if remaining:
            hint = "" if repair else " Run with --repair to mend them."
            raise CommandError(f"{len(remaining)} problems remain.{hint}")
