"""Writing an imported story into the database: one story, one transaction."""

from dataclasses import dataclass, field, replace
from datetime import datetime

import reversion
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.utils.text import slugify

from articles.html import clean_body
from articles.languages import site_language_for
from articles.models import Article, ArticleRedirect, Author, Byline, Section, Tag
from articles.publishing import roles, transitions
from articles.signals import stories_changed

TAG_NAME_MAX_CHARS = 100


@dataclass
class Story:
    """A story as read from a file, in the newsroom's terms, not yet saved."""

    headline: str
    body: str  # HTML; cleaned to the body allow-list when saved
    published_at: datetime | None = None
    authors: list[str] = field(default_factory=list)  # names, in byline order
    dek: str = ""
    tags: list[str] = field(default_factory=list)
    guid: str | None = None  # the sender's identifier (ninjs uri), when there is one
    slug: str = ""  # a wish; the story gets a free slug near it
    section_slug: str = ""
    section_name: str = ""
    hero_caption: str = ""
    hero_credit: str = ""
    hero_alt: str = ""
    embargoed_until: datetime | None = None  # not public before this time, whatever the status
    pubstatus: str = "usable"  # ninjs: "withheld" and "canceled" are never published
    notes: list[str] = field(default_factory=list)  # what the importer could not carry over
    # The byline role of each of ``authors`` (BylineRole values); missing ones are "author".
    roles: list[str] = field(default_factory=list)
    language: str = ""  # a BCP 47 code; empty: the site's language
    translation_of_slug: str = ""  # the original this story translates, by its slug


@dataclass(frozen=True)
class Vocabulary:
    """What the person importing may add to the newsroom: new tags and new
    authors, by the article form's rules. The admin's import page passes the
    importer's (``Vocabulary.of(user)``); command-line imports pass none, as
    they are trusted."""

    may_add_tags: bool
    may_add_authors: bool

    @classmethod
    def of(cls, user):
        return cls(roles.can_add_tags(user), roles.can_add_authors(user))


@dataclass
class Outcome:
    action: str  # "created", "updated", "unchanged" or "skipped"
    article: Article
    notes: list[str] = field(default_factory=list)

    def __str__(self):
        text = f"{self.action} “{self.article.headline}” ({self.article.get_status_display()})"
        return "; ".join([text, *self.notes])


def find_existing(story):
    """The article this story was imported as before, if any.

    A story that carries an identifier (ninjs) is matched on it; plain-text
    copy has none, so it is matched on headline and dateline.
    """
    if story.guid:
        return Article.objects.filter(guid=story.guid).first()
    return (
        Article.objects.filter(headline=story.headline, published_at=story.published_at)
        .order_by("pk")
        .first()
    )


def save_story(
    story,
    *,
    section=None,
    status=Article.Status.DRAFT,
    may_update=None,
    user=None,
    source="",
    vocabulary=None,
):
    """Create the story's article, or update the earlier import of it.

    A story already published here is never changed by an import: it is
    skipped, and the desk edits it in the admin. So is one the importing
    person may not change (``may_update(article)`` is false). Raises
    ValidationError when the story does not fit the model, and
    PermissionDenied when ``status`` is published but ``user`` may not
    publish, or when the story names tags or authors the newsroom lacks and
    ``vocabulary`` does not allow adding them; nothing is written then.

    What is written becomes a revision in the story's history, by ``user``,
    saying it came from ``source`` (a file name).
    """
    with transaction.atomic(), reversion.create_revision():
        reversion.set_comment(f"Imported from {source}" if source else "Imported")
        if user is not None:
            reversion.set_user(user)
        story = _as_stored(story)
        _one_import_of_this_story_at_a_time(story)
        return _save_story(story, section, status, may_update, user, vocabulary)


def _as_stored(story):
    """The story's words and names as the models will store them, without
    markup: so that "<b>OSLO</b>" finds the tag "Oslo", and a story imported
    again compares equal to what its first import stored."""
    words = {
        name: Article.as_plain_text(name, getattr(story, name))
        for name in Article.plain_text_fields
        if hasattr(story, name)
    }
    tags = {}
    for name in (Tag.as_plain_text("name", name) for name in story.tags):
        if name:
            tags.setdefault(name.casefold(), name)
    return replace(
        story,
        **words,
        authors=[Author.as_plain_text("name", name) for name in story.authors],
        tags=list(tags.values()),
    )


def _one_import_of_this_story_at_a_time(story):
    """Two imports of one story at once (a double-clicked upload, two desks
    sending the same file) must not both find no earlier import and both create
    it: the second would fail on a unique slug or guid. On PostgreSQL the
    second waits here until the first commits, then finds its story. SQLite
    needs nothing: its IMMEDIATE transactions already let one writer in at a time."""
    if connection.vendor != "postgresql":
        return
    key = story.guid or f"{story.headline}\n{story.published_at}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ["newsroom-import:" + key])


def _save_story(story, section, status, may_update, user, vocabulary):
    _check(story)
    existing = find_existing(story)
    if existing is not None:
        if _has_same_content(existing, story):
            return Outcome("unchanged", existing, list(story.notes))
        if existing.status == Article.Status.PUBLISHED:
            return Outcome(
                "skipped",
                existing,
                ["already published here, so the import did not change it: edit it in the admin"],
            )
        if may_update is not None and not may_update(existing):
            return Outcome(
                "skipped",
                existing,
                ["it was imported before, and you may not change that story"],
            )
        _check_vocabulary(story, vocabulary)
        _fill(existing, story)
        existing.full_clean()
        existing.save()
        _set_bylines_and_tags(existing, story)
        return Outcome("updated", existing, list(story.notes))

    _check_vocabulary(story, vocabulary)
    notes = list(story.notes)
    if section is None and (story.section_slug or story.section_name):
        section = known_section(story)
        if section is None:
            notes.append(
                f"no section “{story.section_name or story.section_slug}” here: "
                "the story has no section yet"
            )
    publish = status == Article.Status.PUBLISHED
    if publish and story.pubstatus != "usable":
        raise ValidationError(
            f"the sender marks this story {story.pubstatus!r}, so it is not published: "
            "import it as a draft"
        )
    article = Article(
        slug=_free_slug(story.slug or story.headline),
        section=section,
        status=Article.Status.DRAFT if publish else status,
    )
    if story.guid:
        article.guid = story.guid
    _fill(article, story)
    article.full_clean()
    article.save()
    _set_bylines_and_tags(article, story)
    if publish:
        if user is None:
            raise ValidationError("publishing on import needs the editor who publishes")
        # The workflow's one door to going live, with its permission check:
        # an import publishes only what its editor could publish by hand.
        transitions.publish(article, user, at=article.published_at)
    return Outcome("created", article, notes)


def _check(story):
    """What the model's own validation does not see: bylines and tags."""
    for name in story.tags:
        if len(name) > TAG_NAME_MAX_CHARS:
            raise ValidationError(
                f"the tag {name[:40]!r}… is {len(name)} characters long; "
                f"the limit is {TAG_NAME_MAX_CHARS}"
            )
    name_max = Author._meta.get_field("name").max_length
    for name in story.authors:
        if len(name) > name_max:
            raise ValidationError(
                f"the author name {name[:40]!r}… is {len(name)} characters long; "
                f"the limit is {name_max}"
            )


def _check_vocabulary(story, vocabulary):
    """Before anything is written: refuse a story naming tags or authors the
    newsroom lacks and the importer may not add, naming them; new tags must
    also pass the article form's naming rules (``Tag.check_new_names``)."""
    if vocabulary is None:
        return
    new_tags = _new_tag_names(story.tags)
    new_authors = [name for name in story.authors if existing_author(name) is None]
    refused = []
    if new_tags and not vocabulary.may_add_tags:
        refused.append(
            f"{_quoted(new_tags)} {'is not a tag' if len(new_tags) == 1 else 'are not tags'} "
            "yet, and only tag managers can add tags: use existing tags, or ask a tag manager"
        )
    if new_authors and not vocabulary.may_add_authors:
        refused.append(
            f"{_quoted(new_authors)} "
            f"{'is not an author' if len(new_authors) == 1 else 'are not authors'} here yet, "
            "and only staff who may add authors can add them: ask an editor"
        )
    if refused:
        raise PermissionDenied("not imported: " + "; ".join(refused))
    Tag.check_new_names(new_tags)


def _new_tag_names(names):
    """The names that match no tag, ignoring case as taggit's lookup does. One query."""
    if not names:
        return []
    same_name = Q()
    for name in names:
        same_name |= Q(name__iexact=name)
    known = {
        name.casefold() for name in Tag.objects.filter(same_name).values_list("name", flat=True)
    }
    return [name for name in names if name.casefold() not in known]


def _quoted(names):
    return ", ".join(f"“{name}”" for name in names)


def _fill(article, story):
    if story.language:
        article.language = site_language_for(story.language) or story.language
    if story.translation_of_slug:
        article.translation_of = _original(story.translation_of_slug)
    article.headline = story.headline
    article.dek = story.dek
    article.body = clean_body(story.body)
    article.published_at = story.published_at
    article.hero_caption = story.hero_caption
    article.hero_credit = story.hero_credit
    article.hero_alt = story.hero_alt
    article.embargoed_until = story.embargoed_until


def _has_same_content(article, story):
    return (
        article.headline == story.headline
        and article.dek == story.dek
        and article.body == clean_body(story.body)
        and article.published_at == story.published_at
        and article.embargoed_until == story.embargoed_until
        and (article.hero_caption, article.hero_credit, article.hero_alt)
        == (story.hero_caption, story.hero_credit, story.hero_alt)
        # Authors are matched ignoring case ("ANA RUIZ" is Ana Ruiz), so compare alike.
        and [byline.author.name.casefold() for byline in article.bylines.all()]
        == [name.casefold() for name in story.authors]
        and {tag.name.casefold() for tag in article.tags.all()}
        == {name.casefold() for name in story.tags}
        and [byline.role for byline in article.bylines.all()] == _roles(story)
        and (not story.language or article.language == site_language_for(story.language))
        and (
            not story.translation_of_slug
            or article.translation_of_id == _original(story.translation_of_slug).pk
        )
    )


def _roles(story):
    return [
        story.roles[position] if position < len(story.roles) and story.roles[position] else "author"
        for position in range(len(story.authors))
    ]


def _original(slug):
    """The story a translation translates, by its slug (or an earlier one)."""
    original = Article.objects.filter(slug=slug).first()
    if original is None:
        redirect = ArticleRedirect.objects.filter(old_slug=slug).select_related("article").first()
        original = redirect.article if redirect else None
    if original is None:
        raise ValidationError(
            {"translation_of": f"there is no story with the slug “{slug}” to translate"}
        )
    return original


def _set_bylines_and_tags(article, story):
    article.bylines.all().delete()
    roles = _roles(story)
    Byline.objects.bulk_create(
        Byline(article=article, author=author_named(name), position=position, role=roles[position])
        for position, name in enumerate(story.authors)
    )
    article.tags.set(story.tags)
    stories_changed.send(sender=Article, stories=[article.pk])  # bulk_create sends none


def known_section(story):
    """The section a story names, if this newsroom has it (desks are never created by imports)."""
    return (
        Section.objects.filter(slug=story.section_slug).first() if story.section_slug else None
    ) or (
        Section.objects.filter(name__iexact=story.section_name).first()
        if story.section_name
        else None
    )


def author_named(name):
    """The author with this name, created when the newsroom has none yet."""
    author = existing_author(name)
    if author is None:
        author = Author.objects.create(name=name, slug=_free_slug(name, model=Author))
    return author


def existing_author(name):
    """The author with this name, ignoring case, if the newsroom has one."""
    return (
        Author.objects.filter(name=name).order_by("pk").first()
        or Author.objects.filter(name__iexact=name).order_by("pk").first()
        or _author_named_ignoring_case_beyond_ascii(name)
    )


def _author_named_ignoring_case_beyond_ascii(name):
    # SQLite's case-insensitive comparison knows only ASCII: "TOMÁS" is not
    # "Tomás" there. Compare in Python, among the few names of the same length.
    if name.isascii():
        return None
    same_length = Author.objects.annotate(name_length=Length("name")).filter(name_length=len(name))
    return next(
        (
            author
            for author in same_length.order_by("pk")
            if author.name.casefold() == name.casefold()
        ),
        None,
    )


def _free_slug(text, *, model=Article):
    """A slug for ``text`` that no other object uses: "summit", "summit-2"…"""
    max_length = model._meta.get_field("slug").max_length
    base = slugify(text)[: max_length - 6].strip("-") or model._meta.model_name
    slug, number = base, 2
    while model.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug
