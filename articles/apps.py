from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "Newsroom"

    def ready(self):
        # Connect the receivers that invalidate cached pages when content changes,
        # keep the full-text search index current and make image renditions.
        from . import caching  # noqa: F401
        from .html import connect_plain_text_cleaning
        from .pictures import renditions  # noqa: F401
        from .search import receivers  # noqa: F401

        connect_plain_text_cleaning()
