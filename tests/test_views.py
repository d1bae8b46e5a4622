"""The foundation's public home page: published stories only, escaped, in their own language."""

import pytest
from django.urls import reverse
from django.utils import timezone

from newsroom.models import Article

pytestmark = pytest.mark.django_db


def make(status="published", title="Bắc Ninh <script>alert(1)</script>", **fields):
    published_at = fields.pop("published_at", timezone.now() if status == "published" else None)
    return Article.objects.create(
        original_language="vi", status=status, published_at=published_at, title_vi=title, lead_vi="Tóm tắt", **fields
    )


def test_home_lists_published_stories_escaped_with_their_language(client):
    """A published story is listed, its markup escaped, inside an element with its lang and dir=auto."""
    make()
    html = client.get(reverse("home")).content.decode()
    assert "Bắc Ninh &lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)" not in html
    assert '<article lang="vi" dir="auto">' in html


@pytest.mark.parametrize("status", ["draft", "in_review", "archived"])
def test_home_never_shows_unpublished_stories(client, status):
    """Drafts, stories in review and archived stories are not on the home page."""
    make(status=status, title=f"Hidden {status}")
    assert f"Hidden {status}" not in client.get(reverse("home")).content.decode()


def test_home_hides_stories_scheduled_for_later(client):
    """A story published in the future is not public before its time."""
    make(title="Tomorrow's story", published_at=timezone.now() + timezone.timedelta(days=1))
    assert "Tomorrow" not in client.get(reverse("home")).content.decode()
