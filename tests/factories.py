"""Small factories: the fewest fields a valid object needs, overridable."""

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
