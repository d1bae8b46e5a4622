"""Public paths built without ``reverse()`` (newsroom/paths.py) are the ones ``reverse()`` gives."""

import pytest
from django.urls import reverse
from django.utils import translation

from newsroom.languages import content_languages
from newsroom.paths import localized_path
from newsroom.slugs import headline_slug


@pytest.mark.parametrize(
    "headline",
    ["Bắc Ninh khuyến công", "बाक निन्ह में मेला", "バクニン省の裾野産業", "100% OCOP: ¿qué? #1 a&b", "Лаос", ""],
)
def test_story_paths_are_what_reverse_gives_in_every_language(headline):
    """A story's path is the one ``reverse()`` gives, in every language, percent-encoding included."""
    slug = headline_slug(headline)
    for language in content_languages():
        with translation.override(language):
            expected = reverse("newsroom:article-detail", kwargs={"pk": 4021, "slug": slug})
        assert localized_path("newsroom:article-detail", language, pk=4021, slug=slug) == expected


@pytest.mark.parametrize("view_name", ["newsroom:topic-detail", "newsroom:tag-detail", "newsroom:topic-rss"])
def test_topic_and_tag_paths_are_what_reverse_gives_in_every_language(view_name):
    for language in content_languages():
        with translation.override(language):
            expected = reverse(view_name, kwargs={"slug": "bac-ninh_2"})
        assert localized_path(view_name, language, slug="bac-ninh_2") == expected


def test_a_path_follows_the_script_prefix(settings):
    """Served under a prefix (``SCRIPT_NAME``), paths carry it, as ``reverse()``'s do."""
    from django.urls import set_script_prefix

    set_script_prefix("/news/")
    try:
        assert localized_path("newsroom:tag-detail", "en", slug="laos") == "/news/en/tags/laos/"
    finally:
        set_script_prefix("/")
