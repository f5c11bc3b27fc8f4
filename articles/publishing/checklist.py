"""The publish checklist: what a story needs before it goes live.

One set of rules for every way a story is published: the change form, the
admin actions, scheduling and imports that create published stories (all
through ``transitions.publish()``). A *problem* blocks publication; a
*warning* is shown to the editor but does not.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError

from ..html import body_text

# Longer headlines are cut off in search results and social cards.
HEADLINE_WARNING_LENGTH = 110
# A longer standfirst no longer fits under the headline on lists and cards.
DEK_WARNING_LENGTH = 200


@dataclass(frozen=True)
class Problem:
    """A missing item, with the article field where it is fixed."""

    field: str
    message: str

    def __str__(self):
        return self.message


@dataclass(frozen=True)
class Checklist:
    problems: tuple[Problem, ...] = ()
    warnings: tuple[str, ...] = ()

    @property
    def ready(self):
        return not self.problems

    def refuse_if_not_ready(self, article):
        if self.problems:
            raise NotReadyToPublish(article, self.problems)


class NotReadyToPublish(ValidationError):
    """Publishing was refused: ``messages`` names every missing item."""

    def __init__(self, article, problems):
        self.article = article
        self.problems = tuple(problems)
        super().__init__([str(problem) for problem in self.problems], code="not_ready")

    def __str__(self):
        return f"“{self.article}” was not published: " + " ".join(self.messages)


# What each missing item says, keyed by the article field where it is fixed:
# the one wording of the checklist, for refusals and for the change form,
# which shows these same messages as the editor types (``admin.displays``).
MISSING = {
    "section": "It has no section: choose the desk it belongs to.",
    "bylines": "It has no byline: add at least one author.",
    "dek": "It has no standfirst: write the sentence or two under the headline.",
    "body": "Its text is empty: write the story.",
    "hero_alt": "Its hero image has no alt text: describe what the picture shows, "
    "for readers who cannot see it.",
}


def byline_problems(has_byline):
    """The byline rule alone: the change form asks it of the bylines the story
    will have once its byline formset is saved."""
    if has_byline:
        return ()
    return (Problem("bylines", MISSING["bylines"]),)


def check(article, *, has_byline):
    """The checklist for ``article`` as it stands; ``has_byline`` says whether
    it has at least one byline (stored or, for an import or a form, about to be)."""
    missing = {
        "section": article.section_id is None,
        "bylines": not has_byline,
        "dek": not article.dek.strip(),
        "body": not body_text(article.body),
        "hero_alt": bool(article.hero_image) and not article.hero_alt.strip(),
    }
    problems = [Problem(field, MISSING[field]) for field, absent in missing.items() if absent]

    warnings = []
    if len(article.headline) > HEADLINE_WARNING_LENGTH:
        warnings.append(
            f"The headline is {len(article.headline)} characters long; over "
            f"{HEADLINE_WARNING_LENGTH} it is cut off in search results and on social media."
        )
    if len(article.dek) > DEK_WARNING_LENGTH:
        warnings.append(
            f"The standfirst is {len(article.dek)} characters long; over "
            f"{DEK_WARNING_LENGTH} it no longer fits under the headline in lists."
        )
    return Checklist(tuple(problems), tuple(warnings))
