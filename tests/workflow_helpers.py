"""Driving the article admin as its users do, for the workflow tests."""

from html.parser import HTMLParser

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.models import Article

ADD_URL = reverse("admin:articles_article_add")
CHANGELIST_URL = reverse("admin:articles_article_changelist")


def change_url(article):
    return reverse("admin:articles_article_change", args=[article.pk])


def delete_url(article):
    return reverse("admin:articles_article_delete", args=[article.pk])


def management(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def inline_rows(authors, experts, bylines=(), quotes=()):
    """The byline and quote rows of a change form: one byline per author and
    one direct quote per expert, the first ``bylines``/``quotes`` being the
    story's stored rows (their ids kept)."""
    data = {
        **management("bylines", total=len(authors), initial=len(bylines)),
        **management("quotes", total=len(experts), initial=len(quotes)),
    }
    for i, author in enumerate(authors):
        data[f"bylines-{i}-author"] = str(author.pk)
        data[f"bylines-{i}-position"] = str(i)
        if i < len(bylines):
            data[f"bylines-{i}-id"] = str(bylines[i].pk)
            data[f"bylines-{i}-article"] = str(bylines[i].article_id)
    for i, expert in enumerate(experts):
        data[f"quotes-{i}-expert"] = str(expert.pk)
        data[f"quotes-{i}-kind"] = "direct"
        data[f"quotes-{i}-text"] = f"Quote number {i}."
        data[f"quotes-{i}-context"] = "at a press conference"
        data[f"quotes-{i}-position"] = str(i)
        if i < len(quotes):
            data[f"quotes-{i}-id"] = str(quotes[i].pk)
            data[f"quotes-{i}-article"] = str(quotes[i].article_id)
    return data


def local_fields(when, field="published_at"):
    """A time as the change form's two boxes show it (the publication time, or
    ``field``): in the site's time zone, to the second; empty boxes for no time."""
    if when is None:
        return {f"{field}_0": "", f"{field}_1": ""}
    when = timezone.localtime(when)
    return {f"{field}_0": when.strftime("%Y-%m-%d"), f"{field}_1": when.strftime("%H:%M:%S")}


def form_data(article, **changes):
    """The change form as its user would send it back, with ``changes`` typed in.
    Tags are sent as the story's names (``tags=""`` sends none). Inlines are sent
    empty, which leaves the story's bylines and quotes as they are."""
    data = {
        "headline": article.headline,
        "slug": article.slug,
        "dek": article.dek,
        "section": str(article.section_id or ""),
        "status": article.status,
        **local_fields(article.published_at),
        "body": article.body,
        "tags": ", ".join(tag.name for tag in article.tags.all()),
        "hero_caption": article.hero_caption,
        "hero_credit": article.hero_credit,
        "hero_alt": article.hero_alt,
        "version": str(article.version),
        **management("bylines"),
        **management("quotes"),
        **management("corrections"),
    }
    data.update(changes)
    return data


def new_story_data(section, **changes):
    return {
        "headline": "Ferry strike ends",
        "slug": "ferry-strike-ends",
        "dek": "Crews return tonight.",
        "section": str(section.pk),
        "status": Article.Status.DRAFT,
        "published_at_0": "",
        "published_at_1": "",
        "body": "<p>The strike is over.</p>",
        "tags": "",
        "hero_caption": "",
        "hero_credit": "",
        "hero_alt": "",
        **management("bylines"),
        **management("quotes"),
        **changes,
    }


def logged_in(user):
    client = Client()
    client.force_login(user)
    return client


def run_action(client, action, *articles):
    return client.post(
        CHANGELIST_URL,
        {"action": action, "_selected_action": [str(a.pk) for a in articles]},
    )


class _FormReader(HTMLParser):
    """What a browser would send back from an admin change form (the article's,
    unless ``form_id`` names another), untouched."""

    def __init__(self, form_id="article_form"):
        super().__init__()
        self.form_id = form_id
        self.fields, self._in_form, self._textarea, self._select = [], False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id") == self.form_id:
            self._in_form = True
        if not self._in_form or "name" not in attrs and tag != "option":
            return
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("submit", "file", "button") or (
                kind in ("checkbox", "radio") and "checked" not in attrs
            ):
                return
            self.fields.append(
                (attrs["name"], attrs.get("value", "on" if kind == "checkbox" else ""))
            )
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields.append((self._select, attrs.get("value", "")))

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # Browsers drop the newline Django puts after <textarea>.
            self.fields.append((name, text.removeprefix("\n")))
            self._textarea = None
        elif tag == "select":
            self._select = None


def submitted_form(response, form_id="article_form", **changes):
    """The article form (or the admin form ``form_id``) in ``response`` as its
    user would submit it, with ``changes`` typed in. Empty extra inline forms
    are sent as they are."""
    reader = _FormReader(form_id)
    reader.feed(response.content.decode())
    data = {}
    for name, value in reader.fields:
        if "__prefix__" not in name:
            data.setdefault(name, value)
    data.update(changes)
    return data
