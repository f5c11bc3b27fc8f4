"""The article list's actions: each selected story moves through the
publishing module's transitions, one at a time, and is named if it is left
as it was."""

from django.contrib import admin, messages

from ..models import Article
from ..publishing import roles as workflow
from ..publishing import transitions
from ..publishing.checklist import NotReadyToPublish
from . import revisions


def _move_each(modeladmin, request, queryset, *, may, step, done):
    changed, refused = [], []
    for article in queryset:
        if not may(request.user, article):
            refused.append(f"“{article}” ({article.state_label.lower()})")
            continue
        try:
            asked = step(article, request.user)
        except workflow.StaleArticle as conflict:
            refused.append(f"“{article}”: {conflict.describe_last_save()}")
            continue
        except NotReadyToPublish as refusal:
            # Refused before anything was written; each story names what it lacks.
            modeladmin.message_user(request, str(refusal), messages.ERROR)
            continue
        modeladmin.log_change(request, article, done)
        revisions.keep(article)
        changed.append(article)
        for warning in asked.warnings if asked is not None else ():
            modeladmin.message_user(request, f"“{article}”: {warning}", messages.WARNING)
    if changed:
        modeladmin.message_user(request, f"{done}: {len(changed)} stories.", messages.SUCCESS)
    if refused:
        modeladmin.message_user(
            request, "Left as they were: " + "; ".join(refused), messages.WARNING
        )


def story_action(name, description, *, permission, may, step, done):
    """A list action that moves each selected story with ``step`` (a function
    of ``transitions``) when ``may(user, story)``, and says ``done`` of them."""

    def action(modeladmin, request, queryset):
        _move_each(modeladmin, request, queryset, may=may, step=step, done=done)

    action.__name__ = action.__qualname__ = name  # the admin knows actions by name
    return admin.action(description=description, permissions=[permission])(action)


publish_now = story_action(
    "publish_now",
    "Publish now",
    permission="publish",
    may=lambda user, a: not a.is_published and workflow.can_publish(user, a),
    step=transitions.publish_now,
    done="Published now",
)
unpublish = story_action(
    "unpublish",
    "Unpublish (back to draft)",
    permission="publish",
    may=lambda user, a: a.status == Article.Status.PUBLISHED and workflow.can_publish(user, a),
    step=transitions.unpublish,
    done="Unpublished",
)
send_back_to_draft = story_action(
    "send_back_to_draft",
    "Send back to draft",
    permission="change",
    may=workflow.can_send_back_to_draft,
    step=transitions.send_back_to_draft,
    done="Sent back to draft",
)
submit_for_review = story_action(
    "submit_for_review",
    "Submit for review",
    permission="change",
    may=workflow.can_submit_for_review,
    step=transitions.submit_for_review,
    done="Submitted for review",
)
