from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from articles import demo
from articles.models import Article, Author, Byline, Correction, Expert, ExpertQuote, Section


def publication(data, now):
    """The status and publication time a demo story gets when loaded at ``now``.

    Live stories are dated ``hours_ago`` before ``now``; scheduled ones go live
    at a local time on a day after the one the demo is loaded, so the desk's
    "Scheduled" list shows them; drafts and stories in review have no time yet.
    """
    state = data.get("state", "live")
    if state == "live":
        return Article.Status.PUBLISHED, now - timedelta(hours=data["hours_ago"])
    if state == "scheduled":
        days_ahead, clock = data["goes_live"]
        day = timezone.localtime(now).date() + timedelta(days=days_ahead)
        return Article.Status.PUBLISHED, timezone.make_aware(
            datetime.combine(day, time.fromisoformat(clock))
        )
    return {"draft": Article.Status.DRAFT, "review": Article.Status.IN_REVIEW}[state], None


class Command(BaseCommand):
    help = "Load the demo sections, authors, experts and stories. Safe to run again."

    @transaction.atomic
    def handle(self, *args, **options):
        sections = {
            data["slug"]: Section.objects.get_or_create(
                slug=data["slug"], defaults={**data, "position": position}
            )[0]
            for position, data in enumerate(demo.SECTIONS)
        }
        authors = {
            data["slug"]: Author.objects.get_or_create(slug=data["slug"], defaults=data)[0]
            for data in demo.AUTHORS
        }
        experts = {
            data["slug"]: Expert.objects.get_or_create(slug=data["slug"], defaults=data)[0]
            for data in demo.EXPERTS
        }

        created = 0
        now = timezone.now().replace(second=0, microsecond=0)
        for data in demo.ARTICLES + demo.DESK_ARTICLES:
            if Article.objects.filter(slug=data["slug"]).exists():
                continue  # already loaded: a second run changes nothing
            status, published_at = publication(data, now)
            article = Article.objects.create(
                slug=data["slug"],
                headline=data["headline"],
                dek=data["dek"],
                section=sections[data["section"]],
                body=data["body"],
                status=status,
                published_at=published_at,
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
            for correction in data.get("corrections", ()):
                Correction.objects.create(article=article, **correction)
            article.tags.set(data["tags"])
            created += 1

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready: {created} new stories "
                f"({Article.objects.count()} in the database)."
            )
        )
