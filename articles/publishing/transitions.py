"""How a story moves between draft, in review and published, and in and out of
an embargo: the one module through which every status change passes (the
change form, the admin's list actions, imports), with the role checks of
``roles`` and the ``checklist``.

A change form decides which ``Transition`` its save asks for while it is
validated, as plain data; the admin applies it with ``apply()`` once, after
the story's bylines, quotes and tags are saved. Every write goes through
``Article.save()`` and its version check.
"""

import enum
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ..models import Article, Byline
from . import checklist
from . import roles as workflow

Status = Article.Status


class Step(enum.Enum):
    KEEP = "keep"  # a save that leaves the status and time as they are
    PUBLISH = "publish"  # now, or at a time still to come (scheduled)
    UNPUBLISH = "unpublish"
    SUBMIT_FOR_REVIEW = "submit for review"
    SEND_BACK_TO_DRAFT = "send back to draft"
    EMBARGO = "embargo"  # put under embargo, or move its release: live then, never before
    LIFT_EMBARGO = "lift embargo"


@dataclass(frozen=True)
class Transition:
    """A status change, as data: what the step is and, for a publication, when
    the story goes live (for an embargo, its release); for an unpublication,
    which status it goes back to."""

    step: Step
    at: datetime | None = None
    back_to: str = Status.DRAFT

    @property
    def publishes(self):
        """Asks the publish checklist: an embargo publishes for its release."""
        return self.step in (Step.PUBLISH, Step.EMBARGO)

    @property
    def changes_status(self):
        return self.step is not Step.KEEP


KEEP = Transition(Step.KEEP)
SUBMIT_FOR_REVIEW = Transition(Step.SUBMIT_FOR_REVIEW)
SEND_BACK_TO_DRAFT = Transition(Step.SEND_BACK_TO_DRAFT)
LIFT_EMBARGO = Transition(Step.LIFT_EMBARGO)

ALREADY_PUBLIC = "already public; an embargo cannot take it back — unpublish first"


def publication_at(moment):
    return Transition(Step.PUBLISH, at=moment)


def unpublication(back_to=Status.DRAFT):
    return Transition(Step.UNPUBLISH, back_to=back_to)


def embargo_until(release):
    return Transition(Step.EMBARGO, at=release)


def checklist_for(article, *, has_byline=None):
    """What stops ``article`` going live and what an editor should look at
    first (see ``checklist``). ``has_byline`` says whether it has (or is about
    to have) a byline; when left out, the stored bylines are asked."""
    if has_byline is None:
        has_byline = article.pk is not None and Byline.objects.filter(article=article).exists()
    return checklist.check(article, has_byline=has_byline)


def apply(article, transition, *, by, has_byline=None):
    """Save ``article`` with ``transition``: its one write of this step.
    ``has_byline``, when the caller knows it, spares the checklist a query.
    Returns the checklist a publication asked (its warnings are for the
    editor), otherwise None."""
    match transition.step:
        case Step.KEEP:
            article.save()
        case Step.PUBLISH:
            return publish(article, by, at=transition.at, has_byline=has_byline)
        case Step.UNPUBLISH:
            unpublish(article, by, back_to=transition.back_to)
        case Step.SUBMIT_FOR_REVIEW:
            submit_for_review(article, by)
        case Step.SEND_BACK_TO_DRAFT:
            send_back_to_draft(article, by)
        case Step.EMBARGO:
            return embargo(article, transition.at, by, has_byline=has_byline)
        case Step.LIFT_EMBARGO:
            lift_embargo(article, by)


def _require(may, by, article, what):
    if not may(by, article):
        raise PermissionDenied(f"{by} may not {what} “{article}”.")


def publish(article, by, *, at, has_byline=None):
    """The one door to going live: "publish now" and "schedule" both come
    through here, so a rule that must hold for every publication belongs here.
    Refused with ``NotReadyToPublish`` (naming every missing item) before
    anything is written. Returns the checklist it asked, for its warnings."""
    _require(workflow.can_publish, by, article, "publish")
    if at is None:
        raise ValidationError("A story is published at a time: use publish_now() for now.")
    asked = checklist_for(article, has_byline=has_byline)
    asked.refuse_if_not_ready(article)
    article.status = Status.PUBLISHED
    # Publishing never lifts an embargo (only lift_embargo does): a story
    # under one is dated, and goes live, at its release.
    article.published_at = max(at, article.embargoed_until) if article.is_embargoed else at
    article.save()
    return asked


def publish_now(article, by):
    return publish(article, by, at=timezone.now())


def schedule(article, when, by):
    if when is None or when <= timezone.now():
        raise ValidationError("A story is scheduled for a time in the future.")
    return publish(article, by, at=when)


def unpublish(article, by, *, back_to=Status.DRAFT):
    """Take a live or scheduled story off the site, back to draft (or review)."""
    if article.status != Status.PUBLISHED or back_to == Status.PUBLISHED:
        raise ValidationError(f"“{article}” is not published.")
    _require(workflow.can_publish, by, article, "unpublish")
    article.status = back_to
    article.save()


def embargo(article, release, by, *, has_byline=None):
    """Put ``article`` under embargo until ``release``, or move the release of
    its embargo: it is published for that minute, and until then no public
    query finds it (``publication.live()``). Refused for a story readers
    already have, and for a release that has passed."""
    _require(workflow.can_embargo, by, article, "put under embargo")
    if article.is_published:
        raise ValidationError(f"“{article}” is {ALREADY_PUBLIC}.", code="already_public")
    if release is None or release <= timezone.now():
        raise ValidationError(
            "An embargo's release time is still to come: this one has passed.", code="past"
        )
    asked = checklist_for(article, has_byline=has_byline)
    asked.refuse_if_not_ready(article)
    article.status = Status.PUBLISHED
    article.published_at = release
    article.embargoed_until = release
    article.save()
    return asked


def lift_embargo(article, by):
    """End the embargo now: a published story whose time was its release goes
    live at once, dated now; a draft just loses the embargo."""
    _require(workflow.can_embargo, by, article, "lift the embargo of")
    if article.embargoed_until is None:
        raise ValidationError(f"“{article}” is not under embargo.", code="not_embargoed")
    now = timezone.now()
    if (
        article.is_embargoed
        and article.status == Status.PUBLISHED
        and article.published_at is not None
        and now < article.published_at <= article.embargoed_until
    ):
        article.published_at = now
    article.embargoed_until = None
    article.save()


def submit_for_review(article, by):
    _require(workflow.can_submit_for_review, by, article, "submit for review")
    article.status = Status.IN_REVIEW
    article.save()


def send_back_to_draft(article, by):
    _require(workflow.can_send_back_to_draft, by, article, "send back to draft")
    article.status = Status.DRAFT
    article.save()


# Restoring and recovering. django-reversion writes an old revision's row
# back raw, bypassing save(); these put the publication state right afterwards.


def keep_live_state_after_restore(live):
    """``live``: the story as it was before django-reversion wrote an old
    revision's row over it.

    Restoring brings back words, bylines, quotes and tags; the status, time,
    embargo, web address and version counter stay as they are, so a restore never
    publishes or unpublishes by itself and the restored form is checked
    against the version its user opened."""
    stored = Article._base_manager.filter(pk=live.pk)
    restored = stored.values(*Article.CONTENT_FIELDS).get()
    content_updated_at = live.content_updated_at
    if live.is_published and any(
        restored[field] != getattr(live, field) for field in Article.CONTENT_FIELDS
    ):
        content_updated_at = timezone.now()
    stored.update(
        version=live.version,
        status=live.status,
        published_at=live.published_at,
        embargoed_until=live.embargoed_until,
        slug=live.slug,
        content_updated_at=content_updated_at,
    )


def recover_as_draft(article_pk):
    """A deleted story comes back as a draft: going live again is a decision
    taken through ``publish()``, like every other publication."""
    Article._base_manager.filter(pk=article_pk).update(status=Status.DRAFT)
