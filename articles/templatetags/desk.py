"""The editors' desk on the admin's front page (templates/admin/index.html)."""

from django import template

from articles import dashboard
from articles.edge import unreachable_edges
from newsroom.cache import unreachable_caches

register = template.Library()


@register.inclusion_tag("admin/articles/desk.html", takes_context=True)
def desk_dashboard(context):
    user = context["request"].user
    return {
        "desk_lists": (
            dashboard.desk_lists(user) if user.has_perm("articles.change_article") else []
        ),
        "queue_warnings": dashboard.queue_warnings(user),
    }


@register.inclusion_tag("admin/articles/desk_health.html", takes_context=True)
def desk_health(context):
    """A line above the desk for each service the site cannot reach now, and
    for edge purges the worker has not got through."""
    return {
        "unreachable": [*unreachable_caches(), *unreachable_edges()],
        "edge_purges": dashboard.edge_purge_warning(context["request"].user),
    }


@register.inclusion_tag("admin/articles/desk_translations.html", takes_context=True)
def desk_translations(context):
    """The translations that need work: out of date, in progress, or needed."""
    from articles import translations

    user = context["request"].user
    if not user.has_perm("articles.change_article"):
        return {"rows": []}
    return {"rows": translations.desk_rows(user)}
