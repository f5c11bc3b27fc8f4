from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "Newsroom"

    def ready(self):
        # Connect the receivers that invalidate cached pages when content changes
        # and those that keep the SQLite full-text index current.
        from . import caching, search  # noqa: F401
