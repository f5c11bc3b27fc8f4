"""What search engines and social sites read about our pages: structured data."""

from django.utils import timezone


def iso_datetime(value):
    """ISO 8601 / W3C datetime to the second, with the newsroom's UTC offset:
    ``2023-05-08T18:10:00+01:00``."""
    if value is None:
        return None
    return timezone.localtime(value).replace(microsecond=0).isoformat()
