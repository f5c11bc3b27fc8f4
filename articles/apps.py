from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "articles"
    verbose_name = "Newsroom"

    def ready(self):
        # Writes record what they changed; one after-commit step applies it.
        from . import changes, tasks, translations
        from .edge import checks  # noqa: F401 (registers the purge settings' check)

        # Translations first: they read what a story held before this save,
        # which changes then records as the stored values.
        translations.connect()
        changes.connect()
        # A queued task that fails goes back on the queue, later.
        tasks.connect()
