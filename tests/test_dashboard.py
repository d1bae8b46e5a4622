"""The desk dashboard on the admin index: per-topic and per-language counts, imports, what needs attention."""

import re
from datetime import timedelta
from html import unescape
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from newsroom import dashboard
from newsroom.models import Article, RawDocument, Topic
from tests.conftest import DATA, staff

INDEX = "/admin/"


@pytest.fixture
def rejected_png(db) -> RawDocument:
    """tests/data/image.png sent to the importer, which refuses it."""
    with pytest.raises(CommandError):
        call_command("import_seeds", str(DATA / "image.png"), "--json", stdout=StringIO())
    return RawDocument.objects.get(status=RawDocument.Status.REJECTED)


@pytest.fixture
def editor_client(client, db):
    client.force_login(staff("editor", group="Editor"))
    return client


def counts_by_slug() -> dict[str | None, int]:
    return {row.topic.slug if row.topic else None: row.total for row in dashboard.stories_per_topic()}


def test_stories_are_counted_per_topic_and_language(seeds):
    """The seeds: 2 cross-border, 1 OCOP, 2 industrial promotion, none without topic; 3 Hindi, 1 Japanese, 1 English."""
    assert counts_by_slug() == {
        "cross-border-cooperation": 2,
        "ocop": 1,
        "industrial-promotion": 2,
        None: 0,
    }
    rows = dashboard.stories_per_topic()
    assert dashboard.stories_per_language(rows) == [0, 1, 3, 1, 0, 0, 0, 0, 0]
    story = Article.objects.get(pk=seeds[0].pk)
    story.title_en = "Bac Ninh and Xay Som Boun step up trade cooperation"
    story.primary_topic = None
    story.save()
    assert counts_by_slug()[None] == 1
    assert dashboard.stories_per_language(dashboard.stories_per_topic())[1] == 2


def test_the_index_shows_the_table_and_a_chart_with_its_numbers(editor_client, seeds):
    """The admin index keeps the app list and adds per-topic counts as a table and an SVG chart with text."""
    html = editor_client.get(INDEX).content.decode()
    assert 'id="content-main"' in html and "recent-actions-module" in html
    assert '<title id="chart-topics-title">Stories per topic</title>' in html
    assert (
        '<desc id="chart-topics-desc">Industrial promotion: 2, OCOP – One Commune One Product: 1, '
        "Cross-border cooperation: 2, No topic: 0</desc>"
    ) in html
    assert 'aria-labelledby="chart-topics-title chart-topics-desc"' in html
    assert html.count('class="desk-chart-value">2</text>') == 2
    assert 'class="desk-chart-value">1</text>' in html
    assert ">Cross-border cooperation</a>" in html
    assert '<desc id="chart-languages-desc">Vietnamese: 0, English: 1, Hindi: 3, Japanese: 1' in html


def test_latest_imports_and_rejected_files_are_listed(editor_client, seeds, rejected_png):
    """The newest imports show with their status and story; the rejected PNG shows with its reason and message."""
    html = editor_client.get(INDEX).content.decode()
    assert "Latest imports" in html and "Latest rejected files" in html
    assert f'lang="hi" dir="auto">{seeds[0]}</a>' in html
    assert rejected_png.file_name in html
    assert "<code>binary</code>" in html
    assert "The file is a PNG image, not text." in html
    assert 'href="/admin/newsroom/rawdocument/?status__exact=rejected"' in html
    assert len(dashboard.latest_imports()) == 6
    assert [doc.file_name for doc in dashboard.latest_rejections()] == [rejected_png.file_name]


def test_needs_attention_counts_and_links(editor_client, seeds):
    """4 seeds have provisional headlines; conflicts, outdated, in review and scheduled stories are counted."""
    assert dashboard.needs_attention() == dashboard.Attention(
        provisional_headlines=4, conflicts=0, no_topic=0, outdated=0, drafts=5, in_review=0, scheduled=0
    )
    story = Article.objects.get(pk=seeds[0].pk)
    story.title_en = "Bac Ninh and Xay Som Boun step up trade cooperation"
    story.save()
    story.body_hi += "\nएक और अनुच्छेद।"
    story.save()
    RawDocument.objects.filter(article=seeds[1]).update(conflicts=[{"field": "title_hi", "kept": "a", "incoming": "b"}])
    Article.objects.filter(pk=seeds[2].pk).update(status="in_review")
    Article.objects.filter(pk=seeds[3].pk).update(status="published", published_at=timezone.now() + timedelta(days=1))
    Article.objects.filter(pk=seeds[4].pk).update(status="published", published_at=timezone.now() - timedelta(days=1))
    assert dashboard.needs_attention() == dashboard.Attention(
        provisional_headlines=4, conflicts=1, no_topic=0, outdated=1, drafts=2, in_review=1, scheduled=1
    )
    html = editor_client.get(INDEX).content.decode()
    assert '<strong class="desk-count">4</strong> Provisional headlines' in html
    assert 'href="/admin/newsroom/article/?title_provisional__exact=1"' in html
    assert 'href="/admin/newsroom/article/coverage/?outdated=on"' in html


def test_attention_links_lead_to_the_stories_counted(editor_client, seeds):
    """Following each "needs attention" link lists as many stories (or import files) as the count shown."""
    RawDocument.objects.filter(article=seeds[1]).update(conflicts=[{"field": "title_hi", "kept": "a", "incoming": "b"}])
    Article.objects.filter(pk=seeds[3].pk).update(status="published", published_at=timezone.now() + timedelta(hours=1))
    html = editor_client.get(INDEX).content.decode()
    links = re.findall(r'<li><a href="([^"]+)"><strong class="desk-count">(\d+)</strong> ([^<]+)</a></li>', html)
    assert len(links) == 7
    for url, count, label in links:
        response = editor_client.get(unescape(url))
        assert response.status_code == 200, label
        context = response.context
        listed = context["cl"].result_count if "cl" in context else context["page_obj"].paginator.count
        assert listed == int(count), label


def test_people_who_cannot_view_stories_see_no_dashboard(client, seeds):
    """Staff without story permissions get Django's index without the dashboard; translators see no ledger."""
    client.force_login(staff("nobody"))
    response = client.get(INDEX)
    assert response.status_code == 200
    assert "desk-dashboard" not in response.content.decode()
    client.force_login(staff("translator", group="Translator"))
    html = client.get(INDEX).content.decode()
    assert "desk-dashboard" in html and "Latest imports" not in html


def make_stories(count: int, topic: Topic) -> None:
    Article.objects.bulk_create(
        Article(title_ja=f"記事 {n}", original_language="ja", primary_topic=topic, title_provisional=n % 2 == 0)
        for n in range(count)
    )


@pytest.mark.uncached
def test_query_count_does_not_grow_with_the_stories(editor_client, db, django_assert_num_queries):
    """The index with its dashboard costs as many queries with 5 stories as with 50."""
    topics = list(Topic.objects.all())
    make_stories(5, topics[0])
    with CaptureQueriesContext(connection) as small:
        editor_client.get(INDEX)
    for topic in topics:
        make_stories(15, topic)
    with django_assert_num_queries(len(small.captured_queries)):
        html = editor_client.get(INDEX).content.decode()
    assert '<strong class="desk-count">' in html
    assert dashboard.needs_attention().provisional_headlines == 3 + 3 * 8
