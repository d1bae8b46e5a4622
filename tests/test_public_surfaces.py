"""Every public surface at once: an anonymous reader walks every page, feed, sitemap and API answer in
every language and never meets a story that is not public."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse
from django.utils import translation

from newsroom.languages import content_languages
from newsroom.models import Article, Tag, Topic

pytestmark = pytest.mark.django_db

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def public_urls(client) -> list[str]:
    """Every URL the site offers a reader: the sitemaps' pages, each language's listings (filtered too), feeds,
    sitemaps, robots.txt and the API."""
    urls = ["/robots.txt", "/sitemap.xml", "/sitemap-news.xml", "/feeds/rss/", "/feeds/atom/"]
    index = ET.fromstring(client.get("/sitemap.xml").content)
    for section in index.iter(f"{SITEMAP}loc"):
        path = section.text.removeprefix("http://testserver")
        urls.append(path)
        urls += [
            loc.text.removeprefix("http://testserver")
            for loc in ET.fromstring(client.get(path).content).iter(f"{SITEMAP}loc")
        ]
    for language in content_languages():
        with translation.override(language):
            urls += [
                reverse("newsroom:home"),
                reverse("newsroom:tag-list"),
                reverse("newsroom:feed-rss"),
                reverse("newsroom:feed-atom"),
            ]
            for topic in Topic.objects.all():
                topic_url = reverse("newsroom:topic-detail", args=[topic.slug])
                urls += [
                    topic_url,
                    f"{topic_url}?translated=on",
                    f"{topic_url}?language=hi",
                    reverse("newsroom:topic-rss", args=[topic.slug]),
                ]
            for tag in Tag.objects.filter(articles__in=Article.objects.published()).distinct():
                urls.append(reverse("newsroom:tag-detail", args=[tag.slug]))
    urls += ["/api/", "/api/articles/", "/api/articles/?page_size=100", "/api/topics/", "/api/tags/", "/api/outlets/"]
    urls += [f"/api/articles/{pk}/" for pk in Article.objects.published().values_list("pk", flat=True)]
    return sorted(set(urls))


def test_no_hidden_story_reaches_any_public_surface(client, published_seeds, hidden_stories):
    """Drafts, stories in review, archived and scheduled stories (canary headlines in Hindi and English) are
    on no page, feed, sitemap or API answer, in any language; their own URLs answer like missing ones."""
    urls = public_urls(client)
    assert len(urls) > 150
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"CANARY" not in response.content, url
    missing = {language: client.get(f"/{language}/stories/999999/x/").content for language in ("hi", "en")}
    for story in hidden_stories.values():
        for language in ("hi", "en"):
            response = client.get(story.get_absolute_url(language))
            assert response.status_code == 404
            assert response.content == missing[language]
        assert client.get(f"/api/articles/{story.pk}/").status_code == 404
    print(f"{len(urls)} public URLs, {len(hidden_stories)} hidden stories, 0 leaks")


def test_story_pages_link_only_public_stories(client, published_seeds, hidden_stories):
    """No public page links to a hidden story, even as a related story."""
    story = published_seeds[3]
    story.related.add(*hidden_stories.values())
    page = client.get(story.get_absolute_url("en")).content.decode()
    linked = set(re.findall(r"/stories/(\d+)/", page))
    assert linked and not linked & {str(hidden.pk) for hidden in hidden_stories.values()}
