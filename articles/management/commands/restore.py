from django.core.management.base import BaseCommand

from articles.backup import restore_backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into this instance, which must be empty "
        "(a new database, any engine, and an empty MEDIA_ROOT). Runs migrate first."
    )

    def add_arguments(self, parser):
        parser.add_argument("source", metavar="SRC")

    def handle(self, source, **options):
        manifest = restore_backup(source)
        rows = sum(manifest["rows"].values())
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {rows} rows and {manifest['media_files']} media files "
                f"from a backup made {manifest['created_at']} on {manifest['database']}"
            )
        )
