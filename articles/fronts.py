"""What a front shows at this moment: the home page, or a section's page.

The desk's placements come first, in their order: the lowest number leads,
the others follow as top stories. Only live stories show (placements are
filtered with ``live()``, the lookups of ``published()``), so a scheduled story
takes its place at its minute and an unpublished one drops out by itself.
Places the desk left empty, or that a story left, go to the newest live
stories not already there. The home page then gives each section a block of
its latest stories.

The cost is fixed, whatever the number of placements or sections: one query
for the placements, one for the newest stories, two for the section blocks
and one for every story's bylines.
"""

from dataclasses import dataclass, field

from django.db.models import OuterRef, Subquery, prefetch_related_objects

from .models import Article, Placement, Section
from .models.article import bylines_in_order

TOP_STORIES = 4  # beside the lead: a front always shows the lead and this many
MOST_PLACED = 12  # placements beyond this are not shown
BLOCK_SIZE = 4  # stories in each section's block on the home page


@dataclass(frozen=True)
class Teaser:
    """A story as a front shows it: in the desk's words and picture where it
    gave them, the story's own otherwise."""

    article: Article
    headline: str
    dek: str
    picture: object  # an image field's file, or an empty one
    focus: tuple  # the picture's focal point (across, down)
    placed: bool = False  # put there by the desk, not by the newest-first fill

    @classmethod
    def of(cls, article, placement=None):
        if placement is not None and placement.picture:
            picture = placement.picture
            focus = (placement.picture_focus_x, placement.picture_focus_y)
        else:
            picture, focus = article.hero_image, article.hero_focus
        return cls(
            article=article,
            headline=(placement and placement.headline) or article.headline,
            dek=(placement and placement.dek) or article.dek,
            picture=picture,
            focus=focus,
            placed=placement is not None,
        )


@dataclass(frozen=True)
class SectionBlock:
    section: Section
    articles: list


@dataclass(frozen=True)
class FrontPage:
    section: Section | None  # None: the home page
    teasers: list
    blocks: list = field(default_factory=list)
    # Every section the home page gave a block to, or would have: a story
    # moving into an empty section makes it a block.
    section_pks: tuple = ()

    @property
    def lead(self):
        return self.teasers[0] if self.teasers else None

    @property
    def top_stories(self):
        return self.teasers[1:]

    @property
    def story_pks(self):
        """The stories in the lead and top stories: lists under them leave these out."""
        return {teaser.article.pk for teaser in self.teasers}

    @property
    def articles(self):
        """Every story the front shows, once each."""
        stories = [teaser.article for teaser in self.teasers]
        stories += [article for block in self.blocks for article in block.articles]
        return stories


def front_page(section=None, *, with_bylines=True):
    """The front of the home page (``section`` None) or of a section's page, now.
    ``with_bylines=False``: the caller fetches the stories' bylines together
    with those of other stories on the page (``bylines_in_order``)."""
    placements = (
        Placement.objects.live()
        .on_front_of(section)
        .select_related("article__section")
        .order_by("position", "pk")[:MOST_PLACED]
    )
    teasers, shown = [], set()
    for placement in placements:
        if placement.article_id not in shown:  # placed twice: shown once, at its first place
            shown.add(placement.article_id)
            teasers.append(Teaser.of(placement.article, placement))

    missing = 1 + TOP_STORIES - len(teasers)
    if missing > 0:
        newest = Article.objects.published().newest_first().select_related("section")
        if section is not None:
            newest = newest.for_owner(section)
        for article in newest.exclude(pk__in=shown)[:missing]:
            shown.add(article.pk)
            teasers.append(Teaser.of(article))

    blocks, section_pks = ([], ()) if section is not None else _section_blocks(shown)
    front = FrontPage(section=section, teasers=teasers, blocks=blocks, section_pks=section_pks)
    if with_bylines:
        prefetch_related_objects(front.articles, bylines_in_order())
    return front


def _section_blocks(shown):
    """Each section's latest live stories, leaving out those in ``shown``: the
    sections with the first ``BLOCK_SIZE`` story ids of each in one query (each
    a short walk down the section's index), then the stories in another."""
    latest = (
        Article.objects.published()
        .filter(section=OuterRef("pk"))
        .exclude(pk__in=shown)
        .order_by("-published_at", "-pk")
        .values("pk")
    )
    places = [f"latest_{n}" for n in range(BLOCK_SIZE)]
    sections = list(
        Section.objects.annotate(
            **{place: Subquery(latest[n : n + 1]) for n, place in enumerate(places)}
        )
    )
    wanted = [getattr(section, place) for section in sections for place in places]
    stories = (
        Article.objects.filter(pk__in=[pk for pk in wanted if pk is not None])
        .select_related("section")
        .in_bulk()
    )
    blocks = []
    for section in sections:
        articles = [stories[pk] for place in places if (pk := getattr(section, place)) in stories]
        if articles:
            blocks.append(SectionBlock(section, articles))
    return blocks, tuple(section.pk for section in sections)
