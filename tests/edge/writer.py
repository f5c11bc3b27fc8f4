"""The newsroom's side of the edge tests: a process with the site's settings
(its database, its cache, its EDGE_PURGE_URL) that writes through the ORM, as
the admin would, so that each write's after-commit hook purges Varnish.

It reads one JSON command a line on stdin and answers one JSON line on
stdout: ``{"command": "edit", "pk": 3, "headline": "…"}`` →
``{"ok": true, "returned_at": …, "pending": []}``. ``returned_at`` is when the
save returned (``time.time()``), ``pending`` the edge keys not yet purged by
this process (tasks run at once). With ``TASKS_BACKEND=database`` the purges
wait on the queue instead: ``purge_jobs`` lists them.
"""

import json
import os
import sys
import time
from datetime import timedelta

sys.path.insert(0, os.getcwd())  # the source tree under test (cwd)

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from articles import edge, tasks  # noqa: E402
from articles.models import Article, Byline, LiveEntry  # noqa: E402
from articles.publishing.preview import preview_url  # noqa: E402
from articles.sitemaps import ArticleSitemap  # noqa: E402


def pages_of(story):
    """Every public page that shows ``story`` in a list or on its own."""
    section, authors, tags = story.section, list(story.authors.all()), list(story.tags.all())
    return {
        "story": story.get_absolute_url(),
        "home": "/",
        "section": section.get_absolute_url(),
        "authors": [author.get_absolute_url() for author in authors],
        "tags": [tag.get_absolute_url() for tag in tags],
        "feeds": [
            reverse("articles:feed"),
            reverse("articles:feed_atom"),
            reverse("articles:section_feed", args=[section.slug]),
        ],
        "sitemaps": [
            reverse("articles:sitemap"),
            reverse("articles:sitemap_part", args=["articles"])
            + f"?p={ArticleSitemap.page_of(story.pk)}",
            reverse("articles:news_sitemap"),
        ],
    }


def info(_):
    """The newest live story (on the home page), and a live story that shares
    no section, byline or tag with it, and a draft."""
    live = Article.objects.published().newest_first()
    story = live.first()
    authors, tags = set(story.authors.all()), set(story.tags.all())
    unrelated = next(
        other
        for other in live[1:]
        if other.section_id != story.section_id
        and not authors & set(other.authors.all())
        and not tags & set(other.tags.all())
    )
    draft = Article.objects.filter(status=Article.Status.DRAFT).first()
    return {
        "story": {"pk": story.pk, "headline": story.headline, **pages_of(story)},
        "unrelated": {
            "story": unrelated.get_absolute_url(),
            "section": unrelated.section.get_absolute_url(),
            "authors": [author.get_absolute_url() for author in unrelated.authors.all()],
        },
        "draft": {
            "url": draft.get_absolute_url(),
            "headline": draft.headline,
            "preview": preview_url(draft),
        },
    }


def edit(command):
    story = Article.objects.get(pk=command["pk"])
    story.headline = command["headline"]
    story.save()
    return {}


def publish(command):
    """A new story, live now or in ``in_seconds``, with the section, bylines
    and tags of the story ``like``."""
    model = Article.objects.get(pk=command["like"])
    at = timezone.now() + timedelta(seconds=command.get("in_seconds", 0))
    with transaction.atomic():  # one commit, one purge: as the admin saves
        story = _create(command, model, at)
    return {"pk": story.pk, "url": story.get_absolute_url(), "at": at.timestamp()}


def _create(command, model, at):
    story = Article.objects.create(
        headline=command["headline"],
        slug=command["slug"],
        dek="Published by the edge tests.",
        body="<p>Published by the edge tests.</p>",
        section=model.section,
        status=Article.Status.PUBLISHED,
        published_at=at,
    )
    for position, author in enumerate(model.authors.all()):
        Byline.objects.create(article=story, author=author, position=position)
    story.tags.set(list(model.tags.all()))
    return story


def purge_jobs(_):
    """The edge purges on the queue (TASKS_BACKEND=database), oldest first."""
    jobs = DBTaskResult.objects.filter(task_path=tasks.purge_edge.module_path)
    return {
        "jobs": [
            {
                "status": job.status,
                "tries": len(job.worker_ids),
                "error": job.exception_class_path,
                "keys": job.args_kwargs["args"][0],
            }
            for job in jobs.order_by("enqueued_at")
        ]
    }


def retry_now(_):
    """The waiting purges' retries come due: the worker's next run takes them."""
    waiting = DBTaskResult.objects.filter(task_path=tasks.purge_edge.module_path, status="READY")
    return {"due": waiting.update(run_after=timezone.now())}


def live_story(_):
    """The demo's live story: its page and its update endpoint."""
    story = Article.objects.published().filter(live_coverage__isnull=False).first()
    url = story.get_absolute_url()
    return {
        "pk": story.pk,
        "story": url,
        "updates": reverse("articles:article_live", args=[story.slug]),
    }


def live_entry(command):
    """An entry posted on a live story, as the quick form saves one."""
    story = Article.objects.get(pk=command["pk"])
    LiveEntry.objects.create(article=story, author=story.authors.first(), text=command["text"])
    return {}


def staff(command):
    user, _ = get_user_model().objects.get_or_create(
        username=command["username"], defaults={"is_staff": True, "is_superuser": True}
    )
    user.set_password(command["password"])
    user.save()
    return {}


COMMANDS = {
    "info": info,
    "edit": edit,
    "publish": publish,
    "staff": staff,
    "purge_jobs": purge_jobs,
    "retry_now": retry_now,
    "live_story": live_story,
    "live_entry": live_entry,
}


def main():
    for line in sys.stdin:
        command = json.loads(line)
        if command["command"] == "quit":
            break
        try:
            reply = COMMANDS[command["command"]](command)
            reply.update(ok=True, returned_at=time.time(), pending=sorted(edge.pending_purges()))
        except Exception as error:  # reported to the test, which fails on it
            reply = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
