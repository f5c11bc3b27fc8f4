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
        # Every paragraph and crosshead: ``parts()`` gives indices into it.
        self.pieces = self.paragraphs + self.crossheads

    def parts(self):
        """The pieces of one new body, as indices into ``pieces``."""
        rng, parts, headings = self.rng, [], len(self.paragraphs)
        for block in range(rng.randint(2, 3)):
            if block:
                parts.append(headings + rng.choice(range(len(self.crossheads))))
            parts.extend(rng.sample(range(headings), rng.randint(2, 3)))
        return parts

    def body(self, parts=None):
        return "".join(self.pieces[index] for index in parts or self.parts())


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
        section_ids = [section.pk for section in section_rows]
        # The search text of each story, for SQLite's index; PostgreSQL's
        # vectors are computed in SQL from the rows written and the pieces
        # each body is made of.
        names_wanted = connection.vendor != "postgresql"
        body_parts = []

        def article_rows():
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
                dek = _sentence(rng, 14, 26)
                section_id = rng.choice(section_ids)
                parts = bodies.parts()
                if names_wanted is False:
                    body_parts.append(parts)
                yield (
                    headline, f"{slugify(headline)[:80]}-{i}", dek, section_id, status,
                    published_at, bodies.body(parts), _uuid(rng), 1, now, now,
                )  # fmt: skip

        article_columns = (
            "headline", "slug", "dek", "section_id", "status", "published_at", "body",
            "guid", "version", "created_at", "updated_at",
        )  # fmt: skip
        _insert(Article, article_columns, article_rows())
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
                bylines.append((article_id, author_id, position))
            picked = set(rng.choices(tag_ids, cum_weights=tag_weights, k=rng.randint(0, 5)))
            for tag_id in picked:
                taggings.append((article_id, tag_id))
            if names_wanted:
                byline_names[article_id] = " ".join(author_names[pk] for pk in chosen)
                tag_names[article_id] = " ".join(tag_name_of[pk] for pk in picked)
        _insert(Byline, ("article_id", "author_id", "position"), bylines)
        _insert(TaggedArticle, ("content_object_id", "tag_id"), taggings)
        _progress(f"{len(bylines)} bylines, {len(taggings)} tagged items", started)

        expert_ids = [expert.pk for expert in expert_rows]
        kinds = ExpertQuote.Kind.values
        _insert(
            ExpertQuote,
            ("article_id", "expert_id", "text", "context", "kind", "position"),
            (
                (
                    rng.choice(article_ids),
                    rng.choice(expert_ids),
                    _sentence(rng, 10, 25),
                    f"in an interview in {rng.choice(WORDS)}",
                    rng.choice(kinds),
                    i % 3,
                )
                for i in range(quotes)
            ),
        )
        _progress(f"{quotes} quotes", started)

        if names_wanted:
            _fill_search_index(byline_names, tag_names)
        else:
            _fill_search_vectors(bodies.pieces, zip(article_ids, body_parts, strict=True))
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
    rows = Article.objects.values_list(
        "pk", "headline", "dek", "body", "language", "published_at"
    ).iterator(BATCH)
    batch = []
    for pk, headline, dek, body, language, published_at in rows:
        text = TAG.sub(" ", body)  # our generated bodies hold no entities
        batch.append(
            search.Document(
                pk,
                headline,
                dek,
                text,
                tag_names.get(pk, ""),
                byline_names.get(pk, ""),
                language,
                published_at,
            )
        )
        if len(batch) == search.INDEX_BATCH:
            search.engine().write(batch)
            batch = []
    search.engine().write(batch)


def _insert(model, columns, rows):
    """Write ``rows`` (tuples of ``columns``, attribute names) to ``model``'s
    table: PostgreSQL's COPY, a million stories in minutes; elsewhere
    ``bulk_create`` in batches. The other columns get their fields' defaults."""
    if connection.vendor != "postgresql":
        batch = []
        for row in rows:
            batch.append(model(**dict(zip(columns, row, strict=True))))
            if len(batch) == BATCH:
                model.objects.bulk_create(batch)
                batch = []
        model.objects.bulk_create(batch)
        return
    fields = [model._meta.get_field(name) for name in columns]
    others = [
        field
        for field in model._meta.concrete_fields
        if field not in fields and not field.primary_key
    ]
    defaults = tuple(field.get_db_prep_save(field.get_default(), connection) for field in others)
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields + others)
    table = connection.ops.quote_name(model._meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row + defaults)


def _fill_search_vectors(pieces, parts_of_articles):
    """PostgreSQL's search vectors, computed in SQL as
    ``articles/search/postgres.py`` writes them: the same parts with the same
    weights, the body's markup dropped (the generated bodies hold no
    entities). Each body is made of pieces from a pool of a few thousand, so
    each piece is turned into a vector once and a body's vector joins its
    pieces' vectors with ``||`` (positions then differ from the whole body's
    by the stop words at the pieces' ends; the lexemes are the same): a
    million bodies take a minute or two instead of a quarter of an hour."""
    from articles.languages import default_language
    from articles.models import Author, SearchDocument
    from articles.search.postgres import WEIGHTS, postgres_config

    # The generated stories are in the site's language, as stories are by default.
    config = postgres_config(default_language())
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE bench_piece (id integer PRIMARY KEY, html text)")
        with cursor.cursor.copy("COPY bench_piece (id, html) FROM STDIN") as copy:
            for row in enumerate(pieces):
                copy.write_row(row)
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_piece_vector AS SELECT id, "
            f"to_tsvector('{config}', regexp_replace(html, '<[^>]+>', ' ', 'g')) AS vector "
            "FROM bench_piece"
        )
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_body_part "
            "(article_id bigint, ord smallint, piece integer)"
        )
        with cursor.cursor.copy("COPY bench_body_part FROM STDIN") as copy:
            for article_id, parts in parts_of_articles:
                for ord, piece in enumerate(parts):
                    copy.write_row((article_id, ord, piece))
        cursor.execute(
            "CREATE AGGREGATE pg_temp.tsvector_join (tsvector) "
            "(SFUNC = tsvector_concat, STYPE = tsvector, INITCOND = '')"
        )
        names = {
            "headline": "a.headline",
            "tags": "coalesce(t.names, '')",
            "dek": "a.dek",
            "bylines": "coalesce(b.names, '')",
        }
        vector = " || ".join(
            f"setweight(to_tsvector('{config}', {names[part]}), '{weight}')"
            if part in names
            else f"setweight(v.body, '{weight}')"
            for part, weight in WEIGHTS.items()
        )
        # The groupings below spill to disk in the default 4 MB at a million stories.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("ANALYZE bench_piece_vector")
        cursor.execute("ANALYZE bench_body_part")
        # As postgres.month_of() counts it.
        month = (
            "(extract(year FROM a.published_at AT TIME ZONE 'UTC') * 12"
            " + extract(month FROM a.published_at AT TIME ZONE 'UTC') - 1)::integer"
        )
        table = SearchDocument._meta.db_table
        cursor.execute(f"DELETE FROM {table}")
        # The GIN index built once at the end, not grown row by row: a third
        # of the time (the migration's own definition, read back).
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexdef LIKE %s",
            [table, "%USING gin%"],
        )
        gin_indexes = cursor.fetchall()
        for name, _ in gin_indexes:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        cursor.execute(
            f"""
            INSERT INTO {table} (article_id, document, published_month)
            SELECT a.id, {vector}, {month}
            FROM {Article._meta.db_table} a
            JOIN (
                SELECT p.article_id AS id, pg_temp.tsvector_join(pv.vector ORDER BY p.ord) AS body
                FROM bench_body_part p JOIN bench_piece_vector pv ON pv.id = p.piece
                GROUP BY p.article_id
            ) v ON v.id = a.id
            LEFT JOIN (
                SELECT ta.content_object_id AS id, string_agg(tag.name, ' ') AS names
                FROM {TaggedArticle._meta.db_table} ta
                JOIN {Tag._meta.db_table} tag ON tag.id = ta.tag_id
                GROUP BY ta.content_object_id
            ) t ON t.id = a.id
            LEFT JOIN (
                SELECT bl.article_id AS id, string_agg(au.name, ' ' ORDER BY bl.position) AS names
                FROM {Byline._meta.db_table} bl
                JOIN {Author._meta.db_table} au ON au.id = bl.author_id
                GROUP BY bl.article_id
            ) b ON b.id = a.id
            """
        )
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _, definition in gin_indexes:
            cursor.execute(definition)
        cursor.execute(
            "DROP TABLE bench_piece, bench_piece_vector, bench_body_part; "
            "DROP AGGREGATE pg_temp.tsvector_join (tsvector)"
        )
