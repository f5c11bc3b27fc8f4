from taggit.management.commands import remove_orphaned_tags

from articles.models import Tag


class Command(remove_orphaned_tags.Command):
    """taggit's ``remove_orphaned_tags`` for our own Tag model (taggit's command
    only knows ``taggit.Tag``). The tag admin's "Delete selected tags that no
    article uses" action does the same for a selection."""

    help = "Delete the tags that no article uses."

    def handle(self, *args, **options):
        unused = Tag.objects.unused()
        names = list(unused.values_list("name", flat=True))
        unused.delete()
        self.stdout.write(f"Removed {len(names)} unused tags: {', '.join(names) or 'none'}.")
