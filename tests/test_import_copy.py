"""Plain-text copy in: the parser, the import_copy command and the bad files it meets.

The copy files in tests/data/copy/ are written for these tests.
"""

import contextlib
import html
import re
import threading
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from articles.interchange import store
from articles.interchange.copy import parse_copy, parse_dateline
from articles.interchange.errors import ImportProblem
from articles.interchange.files import MAX_FILE_BYTES
from articles.models import Article, Author
from tests.factories import make_author, make_section, make_staff

COPY = Path(__file__).parent / "data" / "copy"
NIGHT_FERRY = COPY / "night-ferry.txt"
LIBRARY = COPY / "library-sundays.txt"
LONDON = ZoneInfo("Europe/London")


def run_import(*paths, section, status=None, editor=None):
    """Run the command as a user would; return (stdout, stderr, error or None)."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    args = [str(path) for path in paths] + ["--section", section.slug]
    if status:
        args += ["--status", status]
    if editor:
        args += ["--editor", editor]
    try:
        call_command("import_copy", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def body_paragraphs(article):
    """The text of each block of the stored body, tags removed, entities read."""
    return [html.unescape(text) for text in re.findall(r"<(?:p|h2)>(.*?)</(?:p|h2)>", article.body)]


def file_paragraphs(path):
    """Each blank-line separated paragraph of the body, wrapped lines joined.

    In our fixtures the first two are the headline and the dateline with byline.
    """
    text = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    blocks = [" ".join(block.split("\n")).strip() for block in re.split(r"\n\s*\n", text)]
    return [block for block in blocks if block][2:]


# The parser --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Monday 08/May/2023 - 06:10 PM", datetime(2023, 5, 8, 18, 10, tzinfo=LONDON)),
        ("Mon 08/may/2023 06:10 am", datetime(2023, 5, 8, 6, 10, tzinfo=LONDON)),
        ("8/Jan/2024 - 12:05 AM", datetime(2024, 1, 8, 0, 5, tzinfo=LONDON)),
        ("Friday 12/January/2024 - 23:45", datetime(2024, 1, 12, 23, 45, tzinfo=LONDON)),
        ("2023-05-08T18:10", datetime(2023, 5, 8, 18, 10, tzinfo=LONDON)),
        ("2023-05-08 18:10:30", datetime(2023, 5, 8, 18, 10, 30, tzinfo=LONDON)),
        ("2023-05-08T16:10:00Z", datetime(2023, 5, 8, 17, 10, tzinfo=LONDON)),
        ("2023-05-08T18:10:00+02:00", datetime(2023, 5, 8, 17, 10, tzinfo=LONDON)),
    ],
)
def test_datelines_in_wire_style_and_iso_8601_are_read_in_the_sites_time_zone(text, expected):
    parsed = parse_dateline(2, text)

    assert parsed == expected
    assert parsed.tzinfo is not None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Tuesday 08/May/2023 - 06:10 PM", "08 May 2023 is a Monday"),
        ("Monday 31/February/2023 - 06:10 PM", "not a real date"),
        ("Monday 08/Mai/2023 - 06:10 PM", "'Mai' in the dateline is not a month"),
        ("Monday 08/May/2023 - 13:10 PM", "not a time on a 12-hour clock"),
        ("2023-05-08", "has a date but no time"),
        ("2023-05-08T25:10", "not a valid ISO 8601"),
    ],
)
def test_an_impossible_dateline_is_refused_with_its_line(text, message):
    with pytest.raises(ImportProblem) as problem:
        parse_dateline(3, text)

    assert message in str(problem.value)
    assert str(problem.value).startswith("line 3: ")


def test_text_that_is_no_dateline_at_all_is_not_taken_for_one():
    assert parse_dateline(2, "By Maria Lindqvist") is None
    assert parse_dateline(2, "08.05.23 at teatime") is None


def test_the_parser_reads_headline_dateline_bylines_and_crossheads():
    copy = parse_copy(NIGHT_FERRY.read_text(encoding="utf-8"))

    assert copy.headline == "Night ferry to the islands returns after two-year pause"
    assert copy.published_at == datetime(2023, 5, 8, 18, 10, tzinfo=LONDON)
    assert copy.authors == ["Maria Lindqvist", "Tomás Okafor"]
    assert [(block.kind, block.text[:20]) for block in copy.blocks] == [
        ("p", "The overnight ferry "),
        ("p", "About 140 passengers"),
        ("h2", "What changed"),
        ("p", "The operator said a "),
        ("p", '"We never wanted to '),
        ("h2", "Fares and timetable"),
        ("p", "Tickets cost the sam"),
    ]


@pytest.mark.parametrize(
    ("byline", "names"),
    [
        ("By Maria Lindqvist and Tomás Okafor", ["Maria Lindqvist", "Tomás Okafor"]),
        ("Maria Lindqvist, Tomás Okafor", ["Maria Lindqvist", "Tomás Okafor"]),
        ("BY ANA RUIZ", ["ANA RUIZ"]),
        (
            "By: Ana Ruiz, Maria Lindqvist and Tomás Okafor",
            ["Ana Ruiz", "Maria Lindqvist", "Tomás Okafor"],
        ),
        ("Ana Ruiz & Tomás Okafor.", ["Ana Ruiz", "Tomás Okafor"]),
    ],
)
def test_a_byline_names_one_or_more_authors_in_order(byline, names):
    copy = parse_copy(f"Headline\n2023-05-08T18:10\n{byline}\n\nBody.\n")

    assert copy.authors == names


def test_a_short_line_is_a_crosshead_only_between_two_real_paragraphs():
    copy = parse_copy(LIBRARY.read_text(encoding="utf-8"))

    assert [block.kind for block in copy.blocks] == ["p", "h2", "p", "p", "p", "p", "p"]
    assert copy.blocks[1].text == "Reading rooms"
    # A run of short lines is a list of facts, not three crossheads.
    assert [block.text for block in copy.blocks[3:6]] == [
        "Doors open at ten",
        "Coffee on the ground floor",
        "Free entry",
    ]


def test_a_sentence_where_the_byline_should_be_is_refused():
    text = "Headline\n2023-05-08T18:10\nThe mayor said on Monday that 12 new buses will run.\n"

    with pytest.raises(ImportProblem, match=r"^line 3: expected the byline"):
        parse_copy(text)


# The command -------------------------------------------------------------------------


@pytest.mark.django_db
def test_import_copy_creates_a_draft_with_bylines_dateline_and_crossheads():
    section = make_section(slug="islands")

    out, err, error = run_import(NIGHT_FERRY, section=section)

    assert error is None, err
    article = Article.objects.get()
    assert article.headline == "Night ferry to the islands returns after two-year pause"
    assert article.status == Article.Status.DRAFT
    assert article.section == section
    assert article.slug == "night-ferry-to-the-islands-returns-after-two-year-pause"
    assert article.published_at == datetime(2023, 5, 8, 17, 10, tzinfo=ZoneInfo("UTC"))
    assert [author.name for author in article.ordered_bylines()] == [
        "Maria Lindqvist",
        "Tomás Okafor",
    ]
    assert "<h2>What changed</h2>" in article.body
    assert "<h2>Fares and timetable</h2>" in article.body
    assert f"{NIGHT_FERRY}: created" in out


@pytest.mark.django_db
@pytest.mark.parametrize("path", [NIGHT_FERRY, LIBRARY], ids=lambda path: path.name)
def test_every_paragraph_lands_in_the_body_in_order_word_for_word(path):
    run_import(path, section=make_section())

    article = Article.objects.get()
    assert body_paragraphs(article) == file_paragraphs(path)


@pytest.mark.django_db
def test_existing_authors_are_matched_by_name_and_new_ones_created():
    maria = make_author(name="Maria Lindqvist", slug="maria")

    run_import(NIGHT_FERRY, section=make_section())

    authors = Article.objects.get().ordered_bylines()
    assert authors[0] == maria
    assert authors[1].name == "Tomás Okafor"
    assert authors[1].slug == "tomas-okafor"
    assert Author.objects.count() == 2


@pytest.mark.django_db
def test_importing_the_same_copy_again_never_duplicates_it(tmp_path):
    section = make_section()
    run_import(NIGHT_FERRY, section=section)

    out, _, error = run_import(NIGHT_FERRY, section=section)

    assert error is None
    assert "unchanged" in out
    assert Article.objects.count() == 1
    assert Author.objects.count() == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's IMMEDIATE transactions admit one writer at a time",
)
@pytest.mark.django_db(transaction=True)
def test_two_imports_of_the_same_copy_at_once_make_one_story(monkeypatch):
    section = make_section()
    # Hold each import just after it looked for an earlier one, until the
    # other has looked too (or two seconds have passed): the race, every time.
    both_looked = threading.Barrier(2, timeout=2)
    find_existing = store.find_existing

    def find_existing_then_wait(story):
        found = find_existing(story)
        with contextlib.suppress(threading.BrokenBarrierError):
            both_looked.wait()
        return found

    monkeypatch.setattr(store, "find_existing", find_existing_then_wait)
    results = []

    def import_once():
        try:
            results.append(run_import(NIGHT_FERRY, section=section))
        finally:
            connection.close()

    threads = [threading.Thread(target=import_once) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert [error for _, _, error in results] == [None, None]
    outputs = " ".join(out for out, _, _ in results)
    assert "created" in outputs and "unchanged" in outputs, outputs
    assert Article.objects.count() == 1
    assert Author.objects.count() == 2


@pytest.mark.django_db
def test_a_byline_in_capitals_matches_the_authors_and_a_second_import_changes_nothing(tmp_path):
    section = make_section()
    make_author(name="Maria Lindqvist")
    make_author(name="Tomás Okafor")
    shouting = tmp_path / "shouting.txt"
    shouting.write_text(
        NIGHT_FERRY.read_text(encoding="utf-8").replace(
            "By Maria Lindqvist and Tomás Okafor", "BY MARIA LINDQVIST AND TOMÁS OKAFOR"
        ),
        encoding="utf-8",
    )
    run_import(shouting, section=section)

    out, _, _ = run_import(shouting, section=section)

    assert "unchanged" in out
    assert Author.objects.count() == 2


@pytest.mark.django_db
def test_corrected_copy_updates_the_unpublished_draft_it_was_imported_as(tmp_path):
    section = make_section()
    run_import(NIGHT_FERRY, section=section)
    corrected = tmp_path / "night-ferry-corrected.txt"
    corrected.write_text(
        NIGHT_FERRY.read_text(encoding="utf-8").replace("About 140", "About 150"),
        encoding="utf-8",
    )

    out, _, _ = run_import(corrected, section=section)

    assert "updated" in out
    article = Article.objects.get()
    assert "About 150 passengers" in article.body
    assert article.status == Article.Status.DRAFT


@pytest.mark.django_db
def test_copy_of_a_story_already_published_is_skipped_not_applied(tmp_path):
    section = make_section()
    run_import(NIGHT_FERRY, section=section)
    Article.objects.update(status=Article.Status.PUBLISHED)
    corrected = tmp_path / "night-ferry-corrected.txt"
    corrected.write_text(
        NIGHT_FERRY.read_text(encoding="utf-8").replace("About 140", "About 150"),
        encoding="utf-8",
    )

    out, _, error = run_import(corrected, section=section)

    assert error is None
    assert "skipped" in out and "already published" in out
    assert "About 140 passengers" in Article.objects.get().body


@pytest.mark.django_db
def test_status_option_sets_the_status_of_new_stories():
    run_import(NIGHT_FERRY, section=make_section(), status="review")

    assert Article.objects.get().status == Article.Status.IN_REVIEW


@pytest.mark.django_db
def test_publishing_copy_on_import_goes_through_the_publish_checklist():
    # Plain copy carries no standfirst, which the checklist requires, so it is
    # refused and nothing is written; tests/test_desk.py publishes complete
    # ninjs stories on import.
    editor = make_staff("chief", perms=["add_article", "change_article", "publish_article"])
    out, err, error = run_import(
        NIGHT_FERRY, section=make_section(), status="published", editor=editor.username
    )

    assert error is not None
    assert "not imported" in err and "no standfirst" in err
    assert "Import it as a draft to finish it on the desk." in err  # as the README says
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_someone_who_may_not_publish_cannot_publish_by_importing():
    reporter = make_staff("stringer", perms=["add_article", "change_article"])

    _, err, error = run_import(
        NIGHT_FERRY, section=make_section(), status="published", editor=reporter.username
    )

    assert "night-ferry.txt: stringer may not publish" in err
    assert error is not None
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_publishing_on_import_needs_an_editor():
    with pytest.raises(CommandError, match="--status published needs --editor"):
        call_command(
            "import_copy",
            str(NIGHT_FERRY),
            "--section",
            make_section().slug,
            "--status",
            "published",
        )
    assert not Article.objects.exists()


@pytest.mark.django_db
def test_an_unknown_section_stops_the_command_before_anything_is_read():
    with pytest.raises(CommandError, match="No section with the slug 'nowhere'"):
        call_command("import_copy", str(NIGHT_FERRY), "--section", "nowhere")
    assert not Article.objects.exists()


# Bad files ---------------------------------------------------------------------------

BAD_FILES = {
    "empty.txt": (b"  \n\n \n", "the file is empty"),
    "picture.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "this is a binary file, not text"),
    "latin1.txt": (
        "Headline\n2023-05-08T18:10\nBy Ana Ruiz\n\nCaf\xe9 reopens.\n".encode("latin-1"),
        "line 5: the file is not UTF-8 text (byte 0xe9",
    ),
    "bad-dateline.txt": (
        b"Headline\nBy Ana Ruiz\n8th of May 2023, teatime\n\nBody.\n",
        "line 3: the dateline '8th of May 2023, teatime' is not in a format we know",
    ),
    "no-body.txt": (
        b"Headline\n2023-05-08T18:10\nBy Ana Ruiz\n\n\n",
        "line 4: the story has no body",
    ),
    "headline-only.txt": (b"Headline\n", "line 2: expected a dateline and a byline"),
    "huge.txt": (
        b"Headline\n2023-05-08T18:10\nBy Ana Ruiz\n\n" + b"word " * (10 * 1024 * 1024 // 5),
        f"the file is 10.0 MB; the limit is {MAX_FILE_BYTES // 1024 // 1024} MB",
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", BAD_FILES)
def test_a_bad_file_is_reported_by_name_creates_nothing_and_the_others_still_import(tmp_path, name):
    content, message = BAD_FILES[name]
    bad = tmp_path / name
    bad.write_bytes(content)

    out, err, error = run_import(bad, NIGHT_FERRY, section=make_section())

    assert f"{bad}: {message}" in err
    assert str(error) == "1 of 2 files could not be imported."
    assert list(Article.objects.values_list("headline", flat=True)) == [
        "Night ferry to the islands returns after two-year pause"
    ]
    assert Author.objects.count() == 2  # only the good story's bylines


@pytest.mark.django_db
def test_a_missing_file_is_reported_and_the_command_fails(tmp_path):
    _, err, error = run_import(tmp_path / "nope.txt", section=make_section())

    assert "nope.txt: cannot be read: No such file or directory" in err
    assert error is not None


def test_the_command_exits_non_zero_when_a_file_failed(tmp_path):
    """Through manage.py, as the desk runs it: scripts see the failure."""
    import subprocess
    import sys

    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    database = tmp_path / "db.sqlite3"
    env = {"DATABASE_URL": f"sqlite:///{database}", "PATH": "/usr/bin:/bin"}
    manage = Path(__file__).resolve().parent.parent / "manage.py"
    subprocess.run([sys.executable, manage, "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [
            sys.executable,
            manage,
            "shell",
            "-c",
            "from articles.models import Section; "
            "Section.objects.create(name='Islands', slug='islands')",
        ],
        env=env,
        check=True,
    )

    result = subprocess.run(
        [sys.executable, manage, "import_copy", bad, NIGHT_FERRY, "--section", "islands"],
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 1
    assert "empty.txt: the file is empty" in result.stderr
    assert "night-ferry.txt: created" in result.stdout
