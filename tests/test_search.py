import pytest
from newsroom import search
from newsroom.models import Article, SearchDocument, Tag, TagAlias
from tests.conftest import make_story

pytestmark = pytest.mark.django_db

def test_explore(published_seeds, client):
    for n, a in published_seeds.items():
        print(n, a.primary_topic.slug, list(a.topics.values_list("slug", flat=True)), a.outlet_id)
    a = published_seeds[2]
    print([i.caption_ja for i in a.images.all()])
    print("会議" in (a.title_ja + a.lead_ja + a.body_ja))
    print([t.slug for t in Tag.objects.filter(kind="place")][:80])
    assert 0
