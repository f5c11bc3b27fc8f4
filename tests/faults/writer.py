"""A writer for the fault tests, with the site's settings (its database and
its cache), run from the source tree under test.

``saves``: saves one story every second through the ORM for ``SECONDS``.
Each attempt rewrites the story's standfirst and adds an update to it in one
transaction, then prints one JSON line: ``{"n", "ok", "seconds", "error"}``.
``ok`` is what an editor would be told: the save returned. The test then
compares the lines with what the database holds.

``rename-section``: renames a section, which changes every page (they all
show the sections' names), and exits.

    python writer.py saves SLUG SECONDS FIRST_N
    python writer.py rename-section SLUG NAME
"""

import json
import os
import sys
import time

sys.path.insert(0, os.getcwd())  # the source tree under test (cwd), not this folder

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from articles.models import Article, Correction, Section  # noqa: E402


def save(slug, n):
    with transaction.atomic():
        story = Article.objects.get(slug=slug)
        story.dek = f"Fault-test edition {n}."
        story.save()
        Correction.objects.create(
            article=story, kind=Correction.Kind.UPDATE, text=f"Fault-test update {n}."
        )


def main(slug, seconds, first):
    deadline = time.monotonic() + seconds
    n = first
    while time.monotonic() < deadline:
        began = time.monotonic()
        try:
            save(slug, n)
            outcome = {"ok": True, "error": ""}
        except Exception as error:  # reported, as the admin would report it
            outcome = {"ok": False, "error": f"{type(error).__name__}: {error}"[:200]}
            connection.close()  # a broken connection is not reused
        elapsed = time.monotonic() - began
        print(json.dumps({"n": n, "seconds": round(elapsed, 3), **outcome}), flush=True)
        n += 1
        time.sleep(max(0.0, 1.0 - elapsed))


def rename_section(slug, name):
    section = Section.objects.get(slug=slug)
    section.name = name
    section.save()


if __name__ == "__main__":
    if sys.argv[1] == "rename-section":
        rename_section(sys.argv[2], sys.argv[3])
    else:
        main(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]))
