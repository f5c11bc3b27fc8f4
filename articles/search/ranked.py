"""A search's results once ranked (``articles/search/postgres.py``)."""

from collections.abc import Sequence


class RankedStories(Sequence):
    """Stories in the order of a list of their ids, read a slice at a time:
    a search ranks its matches once, then a page counts them without a query
    and reads only its own stories. A story that left the site since the
    ranking is skipped."""

    def __init__(self, stories, ids):
        self.stories = stories
        self.ids = ids

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index):
        if isinstance(index, slice):
            ids = self.ids[index]
            found = self.stories.in_bulk(ids)
            return [found[pk] for pk in ids if pk in found]
        return self.stories.get(pk=self.ids[index])

    def __iter__(self):
        return iter(self[:])
