"""A deterministic newsroom archive for the benchmark, written with bulk inserts.

100,000 articles by 2,000 authors in 20 sections, 5,000 tags, 500 experts and
20,000 quotes by default; the same seed always gives the same rows. Most
stories are live, spread over ten years; a few are drafts or in review, and
the newest few dozen are scheduled over the coming days, so the cache's
"next scheduled publication" has real work to do.

``bulk_create`` skips ``save()`` and signals on purpose (speed): the bodies are
generated already clean, and the search index is filled here directly.
"""

import itertools
import random
import re
import time
import uuid
from datetime import timedelta
from html import escape

from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from articles.models import (
    Article,
    Author,
    Byline,
    Expert,
    ExpertQuote,
    Section,
    Tag,
    TaggedArticle,
)

SECTIONS = [
    "World", "Politics", "Business", "Technology", "Science", "Health", "Climate",
    "Culture", "Books", "Music", "Film", "Sport", "Football", "Travel", "Food",
    "Education", "Opinion", "Obituaries", "Local", "Investigations",
]  # fmt: skip
FIRST_NAMES = [
    "Maria", "Tomás", "Aino", "Kwame", "Priya", "Lena", "Yusuf", "Chen", "Sofia", "Omar",
    "Ingrid", "Mateo", "Hana", "Ravi", "Amara", "Jonas", "Elif", "Diego", "Nadia", "Felix",
    "Grace", "Ivan", "Leila", "Oskar", "Zara", "Pablo", "Mei", "Anders", "Fatima", "Lucas",
]  # fmt: skip
LAST_NAMES = [
    "Lindqvist", "Okafor", "Varga", "Nieminen", "Haddad", "Kowalski", "Moreau", "Tanaka",
    "Silva", "Novak", "Brennan", "Osei", "Petrov", "Rossi", "Khan", "Jansen", "Dubois",
    "Ahmed", "Larsen", "García", "Schmidt", "Murphy", "Costa", "Yilmaz", "Berg", "Wright",
    "Popescu", "Andersen", "Nakamura", "Mensah", "Horvat", "Quinn", "Eriksen", "Fischer",
]  # fmt: skip
WORDS = [
    "summit", "leaders", "budget", "council", "minister", "report", "election", "city", "river",
    "market", "energy", "prices", "workers", "union", "court", "ruling", "climate", "policy",
    "school", "hospital", "village", "coast", "harbour", "railway", "bridge", "festival",
    "museum", "season", "league", "final", "record", "storm", "flood", "drought", "harvest",
    "border", "trade", "talks", "deal", "vote", "parliament", "mayor", "police", "inquiry",
    "research", "study", "vaccine", "data", "network", "company", "profits", "shares", "bank",
    "rates", "housing", "rent", "tenants", "farmers", "fishing", "forest", "wildlife", "museum",
    "theatre", "novel", "album", "film", "director", "coach", "players", "fans", "stadium",
    "night", "morning", "week", "year", "plan", "promise", "warning", "crisis", "recovery",
    "growth", "debate", "protest", "reform", "law", "tax", "spending", "cuts", "jobs", "island",
    "mountain", "valley", "north", "south", "east", "west", "capital", "region", "district",
    "community", "families",
]  # fmt: skip
ROLES = ["Reporter", "Senior correspondent", "Political editor", "Business reporter", "Critic"]
TITLES = ["professor of economics", "researcher in climate science", "former ambassador",
          "chief executive", "historian", "public health specialist"]  # fmt: skip

BATCH = 2000
# Bump when the generator changes: bench/run.py then rebuilds a stored corpus.
GENERATOR_VERSION = 2
TAG = re.compile(r"<[^>]+>")


SYLLABLES = [
    "ka", "lo", "mi", "ren", "dus", "fal", "tor", "vin", "bre", "sho", "pla", "gud", "nek",
    "rim", "sar", "tev",
]  # fmt: skip
# Rarer words, Zipf-distributed: the names and topics of a real archive. Search
# for one of these matches a realistic few percent of stories or fewer; every
# story contains most of the common WORDS.
RARE_WORDS = [a + b + c for a in SYLLABLES for b in SYLLABLES for c in SYLLABLES[:12]]
RARE_WEIGHTS = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(RARE_WORDS))))


def _sentence(rng, low=8, high=18):
    words = [
        rng.choice(WORDS)
        if rng.random() < 0.85
        else rng.choices(RARE_WORDS, cum_weights=RARE_WEIGHTS)[0]
        for _ in range(rng.randint(low, high))
    ]
    return " ".join(words).capitalize() + "."


class Bodies:
    """Bodies composed from pools of paragraphs and crossheads: every story
    differs, and 100,000 of them take seconds, not minutes, to write."""

    def __init__(self, rng, paragraphs=3000, crossheads=400):
        self.rng = rng
        self.paragraphs = [
            f"<p>{escape(' '.join(_sentence(rng) for _ in range(rng.randint(2, 4))))}</p>"
            for _ in range(paragraphs)
        ]
        self.crossheads = [
            f"<h2>{escape(_sentence(rng, 3, 6)[:-1])}</h2>" for _ in range(crossheads)
        ]

    def body(self):
        rng, parts = self.rng, []
        for block in range(rng.randint(2, 3)):
            if block:
                parts.append(rng.choice(self.crossheads))
            parts.extend(rng.sample(self.paragraphs, rng.randint(2, 3)))
        return "".join(parts)


def _uuid(rng):
    return f"urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}"


def _progress(message, started):
    print(f"  {message} ({time.monotonic() - started:.0f} s)", flush=True)


def build(*, articles, authors, experts, quotes, tags, sections, seed=7):
    """Fill the current (empty, migrated) database; returns the counts written."""
    rng = random.Random(seed)
    started = time.monotonic()
    now = timezone.now().replace(second=0, microsecond=0)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous=OFF")

    with transaction.atomic():
        names = (
            SECTIONS[:sections]
            if sections <= len(SECTIONS)
            else [f"Section {i}" for i in range(sections)]
        )
        section_rows = Section.objects.bulk_create(
            Section(name=name, slug=slugify(name), position=i) for i, name in enumerate(names)
        )
        author_rows = Author.objects.bulk_create(
            (
                Author(
                    name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    slug=f"author-{i}",
                    role=rng.choice(ROLES),
                    bio=_sentence(rng, 12, 24),
                )
                for i in range(authors)
            ),
            batch_size=BATCH,
        )
        expert_rows = Expert.objects.bulk_create(
            (
                Expert(
                    name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    slug=f"expert-{i}",
                    title=rng.choice(TITLES),
                    affiliation=f"{rng.choice(LAST_NAMES)} Institute",
                )
                for i in range(experts)
            ),
            batch_size=BATCH,
        )
        tag_rows = Tag.objects.bulk_create(
            (
                Tag(name=f"{rng.choice(WORDS)} {rng.choice(WORDS)} {i}", slug=f"tag-{i}")
                for i in range(tags)
            ),
            batch_size=BATCH,
        )
        _progress(
            f"{sections} sections, {authors} authors, {experts} experts, {tags} tags", started
        )

        # Ten years of archive, oldest first; the newest few dozen are scheduled.
        bodies = Bodies(rng)
        scheduled = min(50, articles // 100)
        span = timedelta(days=3650)
        article_rows = []
        for i in range(articles):
            if i >= articles - scheduled:
                published_at = now + timedelta(minutes=rng.randint(30, 7 * 24 * 60))
                status = Article.Status.PUBLISHED
            else:
                published_at = (
                    now - span + span * (i / articles) - timedelta(minutes=rng.randint(0, 600))
                )
                roll = rng.random()
                status = (
                    Article.Status.DRAFT
                    if roll < 0.015
                    else Article.Status.IN_REVIEW
                    if roll < 0.02
                    else Article.Status.PUBLISHED
                )
            headline = _sentence(rng, 6, 11)[:-1]
            article_rows.append(
                Article(
                    headline=headline,
                    slug=f"{slugify(headline)[:80]}-{i}",
                    dek=_sentence(rng, 14, 26),
                    section=rng.choice(section_rows),
                    status=status,
                    published_at=published_at,
                    body=bodies.body(),
                    guid=_uuid(rng),
                    version=1,
                )
            )
            if len(article_rows) == BATCH:
                Article.objects.bulk_create(article_rows)
                article_rows = []
        Article.objects.bulk_create(article_rows)
        _progress(f"{articles} articles", started)

        article_ids = list(Article.objects.order_by("pk").values_list("pk", flat=True))
        author_ids = [author.pk for author in author_rows]
        tag_ids = [tag.pk for tag in tag_rows]
        # Some tags are far more used than others, as in any newsroom.
        tag_weights = list(
            itertools.accumulate(1 / (rank + 1) ** 0.7 for rank in range(len(tag_ids)))
        )
        bylines, taggings, byline_names, tag_names = [], [], {}, {}
        author_names = {author.pk: author.name for author in author_rows}
        tag_name_of = {tag.pk: tag.name for tag in tag_rows}
        for article_id in article_ids:
            count = 1 if rng.random() < 0.7 else 2 if rng.random() < 0.85 else 3
            chosen = rng.sample(author_ids, count)
            for position, author_id in enumerate(chosen):
                bylines.append(
                    Byline(article_id=article_id, author_id=author_id, position=position)
                )
            byline_names[article_id] = " ".join(author_names[pk] for pk in chosen)
            picked = set(rng.choices(tag_ids, cum_weights=tag_weights, k=rng.randint(0, 5)))
            for tag_id in picked:
                taggings.append(TaggedArticle(content_object_id=article_id, tag_id=tag_id))
            tag_names[article_id] = " ".join(tag_name_of[pk] for pk in picked)
        Byline.objects.bulk_create(bylines, batch_size=BATCH)
        TaggedArticle.objects.bulk_create(taggings, batch_size=BATCH)
        _progress(f"{len(bylines)} bylines, {len(taggings)} tagged items", started)

        expert_ids = [expert.pk for expert in expert_rows]
        ExpertQuote.objects.bulk_create(
            (
                ExpertQuote(
                    article_id=rng.choice(article_ids),
                    expert_id=rng.choice(expert_ids),
                    text=_sentence(rng, 10, 25),
                    context=f"in an interview in {rng.choice(WORDS)}",
                    kind=rng.choice(ExpertQuote.Kind.values),
                    position=i % 3,
                )
                for i in range(quotes)
            ),
            batch_size=BATCH,
        )
        _progress(f"{quotes} quotes", started)

        _fill_search_index(byline_names, tag_names)
        _progress("search index", started)
    return {
        "articles": articles,
        "authors": authors,
        "experts": experts,
        "quotes": quotes,
        "tags": tags,
        "sections": sections,
        "bylines": len(bylines),
        "tagged_items": len(taggings),
        "seed": seed,
        "generator": GENERATOR_VERSION,
    }


def _fill_search_index(byline_names, tag_names):
    """The documents ``articles.search.index_articles`` would write, from the
    names at hand: it reads each batch's bylines and tags back and cleans each
    body, which at 100k articles takes minutes."""
    from articles import search

    search.engine().clear()
    rows = Article.objects.values_list("pk", "headline", "dek", "body").iterator(BATCH)
    batch = []
    for pk, headline, dek, body in rows:
        text = TAG.sub(" ", body)  # our generated bodies hold no entities
        batch.append(
            search.Document(
                pk, headline, dek, text, tag_names.get(pk, ""), byline_names.get(pk, "")
            )
        )
        if len(batch) == search.INDEX_BATCH:
            search.engine().write(batch)
            batch = []
    search.engine().write(batch)
