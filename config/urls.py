from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from newsroom import feeds, sitemaps

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", include("newsroom.api")),
    path("robots.txt", sitemaps.robots_txt, name="robots-txt"),
    path("sitemap.xml", sitemaps.index, name="sitemap"),
    # Before the sections: "news" is not one of them.
    path("sitemap-news.xml", sitemaps.news, name="sitemap-news"),
    path("sitemap-<str:section>.xml", sitemaps.section, name="sitemap-section"),
    # Every story in its original language; the language-prefixed feeds are in newsroom.urls.
    path("feeds/rss/", feeds.AllStoriesFeed(), name="feed-all-rss"),
    path("feeds/atom/", feeds.AllStoriesAtomFeed(), name="feed-all-atom"),
    path("feeds/topics/<slug:slug>/rss/", feeds.AllStoriesFeed(), name="topic-all-rss"),
    path("feeds/topics/<slug:slug>/atom/", feeds.AllStoriesAtomFeed(), name="topic-all-atom"),
    *i18n_patterns(path("", include("newsroom.urls"))),
]
