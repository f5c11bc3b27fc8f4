from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles import demo_content
from articles.models import Article, Author, Byline, Expert, ExpertQuote, Section


class Command(BaseCommand):
    help = "Load the demo sections, authors, experts and stories. Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        sections = {
            data["slug"]: Section.objects.get_or_create(
                slug=data["slug"], defaults={**data, "position": position}
            )[0]
            for position, data in enumerate(demo_content.SECTIONS)
        }
        authors = {
            data["slug"]: Author.objects.get_or_create(slug=data["slug"], defaults=data)[0]
            for data in demo_content.AUTHORS
        }
        experts = {
            data["slug"]: Expert.objects.get_or_create(slug=data["slug"], defaults=data)[0]
            for data in demo_content.EXPERTS
        }

        created = 0
        now = timezone.now().replace(second=0, microsecond=0)
        for data in demo_content.ARTICLES:
            if Article.objects.filter(slug=data["slug"]).exists():
                continue  # already loaded: a second run changes nothing
            article = Article.objects.create(
                slug=data["slug"],
                headline=data["headline"],
                dek=data["dek"],
                section=sections[data["section"]],
                body=data["body"],
                status=data.get("status", Article.Status.PUBLISHED),
                published_at=now - timedelta(hours=data["hours_ago"]),
            )
            for position, slug in enumerate(data["authors"]):
                Byline.objects.create(article=article, author=authors[slug], position=position)
            for position, quote in enumerate(data["quotes"]):
                ExpertQuote.objects.create(
                    article=article,
                    expert=experts[quote["expert"]],
                    text=quote["text"],
                    kind=quote["kind"],
                    context=quote["context"],
                    position=position,
                )
            article.tags.set(data["tags"])
            created += 1

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready: {created} new stories "
                f"({Article.objects.count()} in the database)."
            )
        )
