from django.apps import AppConfig


class NewsroomConfig(AppConfig):
    name = "newsroom"
    verbose_name = "Newsroom"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from newsroom import cache
        from newsroom.search import connect_signals

        connect_signals()
        cache.connect_signals()
