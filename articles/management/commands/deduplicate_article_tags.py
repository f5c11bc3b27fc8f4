from django.conf import settings
from taggit.management.commands import deduplicate_tags

from articles.models import Tag


class Command(deduplicate_tags.Command):
    """taggit's ``deduplicate_tags`` for our own Tag model (taggit's command only
    knows ``taggit.Tag``): tags whose names differ only in case become one.

    The oldest tag of each group is kept, so the address that has been around
    longest stays; the others are merged into it with ``Tag.merge``, so their
    addresses redirect and each merge is in the tag merge log."""

    help = (
        "Merge tags whose names differ only in case (“Ukraine”, “ukraine”) into the "
        "oldest of them; the others' addresses redirect to it."
    )

    def handle(self, *args, **kwargs):
        if not getattr(settings, "TAGGIT_CASE_INSENSITIVE", False):
            self.stdout.write(self.style.ERROR("TAGGIT_CASE_INSENSITIVE is not enabled."))
            return
        kept_by_name = {}
        for tag in Tag.objects.order_by("pk"):
            existing = kept_by_name.setdefault(tag.name.lower(), tag)
            if existing != tag:
                self._deduplicate_tags(existing_tag=existing, tag_to_remove=tag)
        self.stdout.write(self.style.SUCCESS("Tag deduplication complete."))

    def _deduplicate_tags(self, existing_tag, tag_to_remove):
        existing_tag.merge([tag_to_remove])
        self.stdout.write(f"Merged “{tag_to_remove}” into “{existing_tag}”.")
