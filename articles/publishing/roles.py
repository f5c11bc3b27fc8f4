"""Who may do what to an article: the newsroom's roles, in one place.

Reporters file stories, change the ones they have a byline on and submit them
for review. Editors (anyone with "Can publish articles") change every story and
publish, schedule and unpublish. The admin, the public preview and the state
changes on ``Article`` itself all ask here, so a rule is enforced the same way
on every path.
"""

from django.conf import settings
from django.utils import formats, timezone

PUBLISH_PERMISSION = "articles.publish_article"


def is_editor(user):
    return user.is_active and user.has_perm(PUBLISH_PERMISSION)


def can_change(user, article):
    """Editors change every story; everyone else only stories bearing their byline."""
    if not (user.is_active and user.is_staff and user.has_perm("articles.change_article")):
        return False
    return is_editor(user) or article.pk is None or article.has_byline_of(user)


def can_publish(user, article):
    """Publishing, scheduling, unpublishing and moving a live story's time."""
    return is_editor(user) and can_change(user, article)


def can_embargo(user, article):
    """Putting a story under embargo, moving its release and lifting it early:
    editors, as for every publication."""
    return can_publish(user, article)


def can_delete(user, article):
    """A story that has been published (or is scheduled) is deleted only by an editor."""
    if not (user.has_perm("articles.delete_article") and can_change(user, article)):
        return False
    return article.status != article.Status.PUBLISHED or is_editor(user)


def can_submit_for_review(user, article):
    return article.status == article.Status.DRAFT and can_change(user, article)


def can_send_back_to_draft(user, article):
    return article.status == article.Status.IN_REVIEW and can_change(user, article)


def can_add_corrections(user, article):
    return (
        article.status == article.Status.PUBLISHED
        and is_editor(user)
        and user.has_perm("articles.add_correction")
    )


def can_post_live_entries(user, article):
    """A live story's entries: reporters with a byline on it, editors on every story."""
    return article.pk is not None and can_change(user, article)


def can_change_live_entry(user, entry):
    """Editors change and delete every entry; a reporter those they wrote."""
    if not can_post_live_entries(user, entry.article):
        return False
    return is_editor(user) or entry.created_by_id == user.pk or entry.author.user_id == user.pk


def can_run_live_coverage(user):
    """Opening and closing a story's live coverage, and pinning an entry."""
    return is_editor(user)


def can_add_tags(user):
    """New tags, in the article form's tag box and in the admin's imports: tag
    managers only, while ``NEWSROOM_CONTROLLED_TAGS`` is on."""
    return user.has_perm("articles.add_tag") or not settings.NEWSROOM_CONTROLLED_TAGS


def can_add_authors(user):
    """New bylines' people, in the admin (the byline's "+") and its imports."""
    return user.has_perm("articles.add_author")


class StaleCopy(Exception):
    """Someone saved the row after this copy of it was loaded: a story, a front.

    Raised by the save (``Article.save()``, ``NoLostUpdates.save()``) instead of
    overwriting their work.
    """

    def __init__(self, obj):
        self.obj = obj
        super().__init__(f"{obj!r} was saved by someone else since version {obj.version}")

    @property
    def noun(self):
        return self.obj._meta.verbose_name

    def last_save(self):
        """``(who, when)`` of the save that got in first, from the revision history."""
        from reversion.models import Version

        version = (
            Version.objects.get_for_object_reference(type(self.obj), self.obj.pk)
            .select_related("revision__user")
            .first()
        )
        if version is None or version.revision.user is None:
            # Saved outside the admin (an import, the shell): who is not recorded.
            saved_at = (
                type(self.obj)
                .objects.filter(pk=self.obj.pk)
                .values_list("updated_at", flat=True)
                .first()
            )
            return None, saved_at
        return version.revision.user, version.revision.date_created

    def describe_last_save(self):
        user, when = self.last_save()
        who = (user.get_full_name() or user.get_username()) if user else "Someone else"
        if when is None:
            return f"{who} deleted this {self.noun} after you opened it."
        at = formats.date_format(timezone.localtime(when), "H:i, j F Y")
        return f"{who} saved this {self.noun} at {at}, after you opened it."


class StaleArticle(StaleCopy):
    """A story saved by someone else since this copy of it was loaded."""

    noun = "story"

    @property
    def article(self):
        return self.obj
