"""How long merging a much-used tag takes, on a throwaway SQLite database.

    .venv/bin/python bench/tag_merge.py [taggings] [duplicates]

Target: a tag on 5,000 stories merges well inside one admin request (< 5 s).
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
database = Path(tempfile.mkdtemp()) / "bench.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{database}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings.base")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article, Section, Tag, TaggedArticle  # noqa: E402


def main(taggings=5000, duplicates=100):
    call_command("migrate", verbosity=0)
    section = Section.objects.create(name="Bench", slug="bench")
    Article.objects.bulk_create(
        Article(
            headline=f"Story {n}",
            slug=f"story-{n}",
            status=Article.Status.PUBLISHED,
            published_at=timezone.now(),
            section=section,
        )
        for n in range(taggings)
    )
    stories = list(Article.objects.all())
    kept, merged = Tag.objects.create(name="Ukraine"), Tag.objects.create(name="Ukraine war")
    TaggedArticle.objects.bulk_create(TaggedArticle(tag=merged, content_object=s) for s in stories)
    TaggedArticle.objects.bulk_create(
        TaggedArticle(tag=kept, content_object=s) for s in stories[:duplicates]
    )

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        kept.merge([merged])
    elapsed = time.perf_counter() - started

    assert kept.tagged_articles.count() == taggings
    print(
        f"merged {taggings} taggings ({duplicates} duplicates) in {elapsed:.2f} s, "
        f"{len(queries)} queries"
    )


if __name__ == "__main__":
    main(*(int(arg) for arg in sys.argv[1:3]))
    database.unlink()
