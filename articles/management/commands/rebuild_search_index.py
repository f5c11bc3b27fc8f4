from django.core.management.base import BaseCommand

from articles.search import rebuild_index


class Command(BaseCommand):
    help = (
        "Refill the full-text search index from every article. Needed only after "
        "bulk changes that bypass model signals (fixtures, queryset updates)."
    )

    def handle(self, *args, **options):
        count = rebuild_index()
        self.stdout.write(f"Indexed {count} articles.")
