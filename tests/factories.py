"""Small factories: the fewest fields a valid object needs, overridable."""

import importlib
import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from articles.models import Article, Author, Byline, Expert, ExpertQuote, Section

_counter = itertools.count(1)


def make_section(**fields):
    n = next(_counter)
    return Section.objects.create(**{"name": f"Section {n}", "slug": f"section-{n}", **fields})


def make_author(**fields):
    n = next(_counter)
    return Author.objects.create(**{"name": f"Author {n}", "slug": f"author-{n}", **fields})


def make_expert(**fields):
    n = next(_counter)
    return Expert.objects.create(
        **{
            "name": f"Expert {n}",
            "slug": f"expert-{n}",
            "title": "researcher in international affairs",
            "affiliation": "Example Institute",
            **fields,
        }
    )


def make_article(*, authors=(), tags=(), quotes=(), **fields):
    """A live article unless ``status``/``published_at`` say otherwise.

    ``quotes`` is a list of ``(expert, text)`` pairs.
    """
    n = next(_counter)
    defaults = {
        "headline": f"Headline {n}",
        "slug": f"headline-{n}",
        "dek": f"Dek {n}",
        "body": f"<p>Body {n}</p>",
        "status": Article.Status.PUBLISHED,
        "published_at": timezone.now() - timedelta(hours=1),
    }
    if "section" not in fields:
        defaults["section"] = make_section()
    article = Article.objects.create(**{**defaults, **fields})
    for position, author in enumerate(authors):
        Byline.objects.create(article=article, author=author, position=position)
    for position, (expert, text) in enumerate(quotes):
        ExpertQuote.objects.create(article=article, expert=expert, text=text, position=position)
    if tags:
        article.tags.set(list(tags))
    return article


def make_staff(username="editor", *, superuser=False, perms=()):
    user = get_user_model().objects.create_user(
        username=username, password="pw", is_staff=True, is_superuser=superuser
    )
    if perms:
        from django.contrib.auth.models import Permission

        user.user_permissions.set(Permission.objects.filter(codename__in=perms))
    return user


def ensure_roles():
    """The role groups (and the home page's front) come from data migrations.
    Tests that flush the database (the browser tests) lose them; this puts them
    back exactly as they made them."""
    from django.apps import apps

    importlib.import_module("articles.migrations.0006_roles").create_roles(apps, None)
    importlib.import_module(
        "articles.migrations.0015_home_front_and_editor_permissions"
    ).arrange_fronts(apps, None)


def make_in_role(username, role, *, author_name=None):
    """A staff member in one of the newsroom's groups, with a byline profile if named."""
    from django.contrib.auth.models import Group

    user = make_staff(username)
    user.groups.add(Group.objects.get(name=role))
    if author_name:
        make_author(name=author_name, user=user)
    return user


def make_reporter(username="reporter", author_name="Rita Reporter"):
    return make_in_role(username, "Reporter", author_name=author_name)


def make_editor(username="editor"):
    return make_in_role(username, "Editor")
