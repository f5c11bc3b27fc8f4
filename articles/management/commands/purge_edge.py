"""Purge pages from the edge cache by hand: every page after a deploy that
changes how pages look (``--all``), or the pages carrying some keys."""

from django.core.management.base import BaseCommand, CommandError

from articles import edge
from articles.edge.config import edge_config
from articles.pagecache.dependencies import EDGE_SITE_KEY


class Command(BaseCommand):
    help = (
        "Purge pages from the edge cache (EDGE_PURGE_URL): those carrying the given "
        "edge keys (a12 for story 12, l-home for the home page's list, nav, …), or "
        "every page with --all."
    )

    def add_arguments(self, parser):
        parser.add_argument("keys", nargs="*", help="edge keys, as in a page's Surrogate-Key")
        parser.add_argument("--all", action="store_true", help="every page the edge keeps")
        parser.add_argument(
            "--hard",
            action="store_true",
            help="remove the pages at once rather than keep them as stale copies for "
            "when the site does not answer (a legal takedown)",
        )

    def handle(self, *args, **options):
        names = [EDGE_SITE_KEY] if options["all"] else options["keys"]
        if not names:
            raise CommandError("Name the edge keys to purge, or --all.")
        config = edge_config()
        if not config.purges:
            raise CommandError("EDGE_PURGE_URL is none://: there is no edge to purge.")
        try:
            edge.send(names, soft=not options["hard"])
        except edge.PurgeFailed as error:
            raise CommandError(f"{config.describe()} did not take the purge: {error}") from error
        self.stdout.write(f"Purged {' '.join(names)} from {config.describe()}.")
