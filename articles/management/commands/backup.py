from django.core.management.base import BaseCommand

from articles.backup import make_backup


class Command(BaseCommand):
    help = (
        "Back up the database (one consistent snapshot, taken while the site runs) "
        "and the media into one .tar.gz. DEST is a file, or a folder to put "
        "newsroom-backup-<time>.tar.gz in."
    )

    def add_arguments(self, parser):
        parser.add_argument("destination", metavar="DEST")

    def handle(self, destination, **options):
        path, manifest = make_backup(destination)
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {rows} rows and {manifest['media_files']} media files to {path}"
            )
        )
