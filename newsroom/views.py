"""Public pages. Every one starts from ``Article.objects.published()``."""

from django.views.generic import ListView

from newsroom.models import Article


class HomeView(ListView):
    """The latest published stories, each in its original language."""

    template_name = "newsroom/home.html"
    context_object_name = "articles"
    paginate_by = 20

    def get_queryset(self):
        return Article.objects.published().select_related("primary_topic", "outlet").order_by("-published_at", "-pk")
