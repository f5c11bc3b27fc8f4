import base64
from datetime import datetime, time, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from articles import demo, languages
from articles.demo import illustrations
from articles.models import (
    Article,
    ArticleRedirect,
    Author,
    Banner,
    Byline,
    Correction,
    Expert,
    ExpertQuote,
    Front,
    LiveCoverage,
    LiveEntry,
    Placement,
    Section,
)
from articles.models.translation import BylineRole

REFUSED_IN_PRODUCTION = (
    "Demo accounts have passwords that anyone who reads this output knows: they are "
    "made with the development settings only, never with newsroom.settings.production."
)


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


def load_live_coverage(article, live, entries, now, authors, experts):
    """A demo live story's coverage and entries, dated back from ``now``."""
    LiveCoverage.objects.create(
        article=article, started_at=now - timedelta(hours=live["started_hours_ago"])
    )
    for entry in entries:
        expert = experts[entry["expert"]] if "expert" in entry else None
        LiveEntry.objects.create(
            article=article,
            author=authors[entry["author"]],
            posted_at=now - timedelta(minutes=entry["minutes_ago"]),
            headline=entry.get("headline", ""),
            text=entry["text"],
            is_key_event=entry.get("key_event", False),
            is_pinned=entry.get("pinned", False),
            expert=expert,
            quote_text=entry.get("quote", ""),
        )


def demo_password(username):
    """The demo account's password: the same on every run (it is printed each
    time), unguessable without the site's SECRET_KEY."""
    digest = salted_hmac("newsroom.demo-accounts", username).digest()
    letters = base64.b32encode(digest).decode().lower()[:12]
    return "-".join(letters[i : i + 4] for i in range(0, 12, 4))


def loaded_story(data):
    """The demo story already in the database, if any: by its guid, whatever its
    slug is now; or, loaded before demo stories had one, by its slug or the
    redirect that renaming it left."""
    story = Article.objects.filter(guid=demo.guid(data["slug"])).first()
    if story is None:
        story = Article.objects.filter(slug=data["slug"]).first()
    if story is None:
        moved = ArticleRedirect.objects.filter(old_slug=data["slug"]).first()
        story = moved.article if moved is not None else None
    return story


class Command(BaseCommand):
    help = (
        "Load the demo sections, authors, experts and stories with their pictures, "
        "arrange the home page and put up a breaking-news banner. Safe to run again: "
        "nothing already loaded is changed."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--accounts",
            action="store_true",
            help="Also make one staff account per role (editor, reporter, tag manager) and "
            "print their passwords. Development settings only.",
        )

    def handle(self, *args, accounts=False, **options):
        if accounts and not settings.NEWSROOM_DEMO_ACCOUNTS:
            raise CommandError(REFUSED_IN_PRODUCTION)
        now = timezone.now().replace(second=0, microsecond=0)
        with transaction.atomic():
            stories, created = self._load_content(now)
            self._arrange_fronts(stories)
            self._put_up_banner(stories, now)
            logins = self._make_accounts() if accounts else []

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready: {created} new stories "
                f"({Article.objects.count()} in the database)."
            )
        )
        if logins:
            admin_url = "/" + settings.NEWSROOM_ADMIN_URL
            self.stdout.write(f"Demo accounts (development only), to log in at {admin_url}:")
            for username, role, password in logins:
                shown = password or "(changed since the demo made it)"
                self.stdout.write(f"  {role:<12} {username:<18} password: {shown}")

    def _load_content(self, now):
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

        stories, created = {}, 0
        for data in demo.ARTICLES + demo.DESK_ARTICLES:
            story = loaded_story(data)
            if story is None:
                story = self._create_story(data, now, sections, authors, experts, stories)
                created += 1
            stories[data["slug"]] = story  # already loaded: a second run changes nothing
        return stories, created

    def _create_story(self, data, now, sections, authors, experts, stories):
        status, published_at = publication(data, now)
        # A translation names its original, loaded before it in content.toml.
        original = stories.get(data["translation_of"]) if "translation_of" in data else None
        article = Article(
            language=data.get("language") or languages.default_language(),
            translation_of=original,
            guid=demo.guid(data["slug"]),
            slug=data["slug"],
            headline=data["headline"],
            dek=data["dek"],
            section=sections[data["section"]],
            body=data["body"],
            status=status,
            published_at=published_at,
        )
        if picture := data.get("picture"):
            size = illustrations.PORTRAIT if picture["motif"] == "lighthouse" else None
            drawn = illustrations.draw(
                picture["motif"], data["slug"], size or illustrations.LANDSCAPE
            )
            article.hero_image.save("illustration.jpg", ContentFile(drawn), save=False)
            article.hero_alt = picture["alt"]
            article.hero_credit = f"Illustration: {settings.NEWSROOM_SITE_NAME} demo"
            article.hero_focus_x, article.hero_focus_y = picture["focus"]
        elif original is not None and original.hero_image:
            # A translation shows its original's picture.
            article.hero_image = original.hero_image.name
            article.hero_credit = original.hero_credit
            article.hero_alt = data.get("hero_alt", original.hero_alt)  # in its language
            article.hero_focus_x, article.hero_focus_y = original.hero_focus
        article.save()
        credits = [(slug, BylineRole.AUTHOR) for slug in data["authors"]]
        credits += [(slug, BylineRole.TRANSLATOR) for slug in data.get("translators", ())]
        for position, (slug, role) in enumerate(credits):
            Byline.objects.create(
                article=article, author=authors[slug], position=position, role=role
            )
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
        if live := data.get("live"):
            load_live_coverage(article, live, data["live_entries"], now, authors, experts)
        article.tags.set(data["tags"])
        return article

    def _arrange_fronts(self, stories):
        """Placements on a front nobody has arranged yet: a front an editor has
        saved (its version moved on) or placed stories on is left as it is."""
        home, _ = Front.objects.get_or_create(section=None)
        self._place(
            home, [(item["story"], item.get("headline", "")) for item in demo.FRONT], stories
        )
        for data in demo.SECTION_FRONTS:
            section = Section.objects.get(slug=data["section"])
            front, _ = Front.objects.get_or_create(section=section)
            self._place(front, [(slug, "") for slug in data["stories"]], stories)

    def _place(self, front, placed, stories):
        if front.version or front.placements.exists():
            return
        for position, (slug, headline) in enumerate(placed, start=1):
            Placement.objects.create(
                front=front, article=stories[slug], position=position, headline=headline
            )

    def _put_up_banner(self, stories, now):
        if Banner.objects.filter(text=demo.BANNER["text"]).exists():
            return  # put up by an earlier run: ended by now, or still showing
        Banner.objects.create(
            text=demo.BANNER["text"],
            link=stories[demo.BANNER["story"]].get_absolute_url(),
            ends_at=now + timedelta(hours=demo.BANNER["hours"]),
        )

    def _make_accounts(self):
        """``(username, role, password or None if changed since)`` of each demo account."""
        logins = []
        for data in demo.ACCOUNTS:
            password = demo_password(data["username"])
            first_name, last_name = data["name"]
            user, created = get_user_model().objects.get_or_create(
                username=data["username"],
                defaults={"first_name": first_name, "last_name": last_name, "is_staff": True},
            )
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
                user.groups.add(Group.objects.get(name=data["role"]))
                author = Author.objects.filter(slug=data.get("author"), user=None).first()
                if author is not None:
                    author.user = user  # their byline: the stories a reporter may edit
                    author.save()
            logins.append(
                (user.username, data["role"], password if user.check_password(password) else None)
            )
        return logins
