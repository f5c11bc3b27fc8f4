import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.interchange.ninjs import article_to_ninjs
from articles.models import Article


class Command(BaseCommand):
    help = (
        "Export published stories as IPTC ninjs 2.x files, one <slug>.json per story, "
        "into a folder. Drafts and scheduled stories are never exported, nor stories under "
        "embargo unless --embargoed asks for them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "slugs", nargs="*", metavar="SLUG", help="Only these stories (default: all live)."
        )
        parser.add_argument("--output", required=True, metavar="FOLDER", type=Path)
        parser.add_argument(
            "--embargoed",
            action="store_true",
            help="Also export published stories still under embargo, each with its release "
            "time in 'embargoed': only for partners the embargo is shared with.",
        )
        parser.add_argument(
            "--base-url",
            required=True,
            metavar="URL",
            help="The site's public address, e.g. https://news.example.org/, for the links.",
        )

    def handle(self, *args, slugs, output, base_url, embargoed, **options):
        articles = Article.objects.published()
        if embargoed:
            articles |= Article.objects.embargoed().filter(status=Article.Status.PUBLISHED)
        articles = articles.for_page().order_by("published_at", "pk")
        if slugs:
            articles = articles.filter(slug__in=slugs)
            missing = sorted(set(slugs) - {article.slug for article in articles})
            if missing:
                hint = "" if embargoed else " Stories under embargo need --embargoed."
                raise CommandError(f"Not published, or no such story: {', '.join(missing)}.{hint}")
        output.mkdir(parents=True, exist_ok=True)
        base_url = base_url if base_url.endswith("/") else f"{base_url}/"
        count = 0
        for article in articles:
            document = article_to_ninjs(article, base_url=base_url)
            path = output / f"{article.slug}.json"
            path.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
            count += 1
        self.stdout.write(self.style.SUCCESS(f"Exported {count} stories to {output}."))
