"""The public pages, mounted under one language prefix per content language (``/hi/topics/ocop/``)."""

from django.urls import path

from newsroom import feeds, views

app_name = "newsroom"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("rss/", feeds.StoryFeed(), name="feed-rss"),
    path("atom/", feeds.AtomStoryFeed(), name="feed-atom"),
    path("topics/<slug:slug>/", views.TopicView.as_view(), name="topic-detail"),
    path("topics/<slug:slug>/rss/", feeds.StoryFeed(), name="topic-rss"),
    path("topics/<slug:slug>/atom/", feeds.AtomStoryFeed(), name="topic-atom"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("tags/", views.TagListView.as_view(), name="tag-list"),
    path("tags/<slug:slug>/", views.TagView.as_view(), name="tag-detail"),
    # Any slug, or none, is accepted: a stale or mangled one redirects to the current one.
    path("stories/<int:pk>/", views.ArticleView.as_view(), name="article-redirect"),
    path("stories/<int:pk>/<str:slug>/", views.ArticleView.as_view(), name="article-detail"),
]
