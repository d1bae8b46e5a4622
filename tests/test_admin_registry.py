"""The tag registry's admin: aliases, search in every language, story counts, merging duplicate tags."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from newsroom.models import Article, Tag, TagAlias
from tests.conftest import staff

URL = reverse("admin:newsroom_tag_changelist")


def story(title: str) -> Article:
    return Article.objects.create(title_en=title, original_language="en")


@pytest.fixture
def duplicates(db) -> dict[str, Tag]:
    """Three tags for one place (two of them duplicates), and an unrelated tag owning the alias "Zorbie".

    keep: stories a, b; dup1: stories b, c, alias "Zorbya"; dup2: story d, name_fr "Zorbie".
    """
    keep = Tag.objects.create(slug="zorbia", name_en="Zorbia", kind="place")
    dup1 = Tag.objects.create(slug="zorbia-province", name_en="Zorbia Province", name_lo="ຊອບເບຍ")
    dup2 = Tag.objects.create(slug="zorbiya", name_en="Zorbiya", name_fr="Zorbie")
    other = Tag.objects.create(slug="zorb-plain", name_en="Zorb Plain")
    TagAlias.objects.create(tag=dup1, name="Zorbya")
    TagAlias.objects.create(tag=other, name="Zorbie")
    a, b, c, d = (story(name) for name in "abcd")
    keep.articles.add(a, b)
    dup1.articles.add(b, c)
    dup2.articles.add(d)
    return {"keep": keep, "dup1": dup1, "dup2": dup2, "other": other, **{s.title_en: s for s in (a, b, c, d)}}


def merge(client, keep: Tag, *tags: Tag, confirm: bool = True):
    data = {"action": "merge_selected_tags", "_selected_action": [t.pk for t in (keep, *tags)]}
    if confirm:
        data |= {"apply": "yes", "keep": keep.pk}
    else:
        data |= {"index": 0}
    return client.post(URL, data)


def test_merge_asks_which_tag_to_keep(client, editor, duplicates):
    """Choosing "Merge selected tags" shows the selected tags with their story counts to pick the one to keep."""
    client.force_login(editor)
    response = merge(client, duplicates["keep"], duplicates["dup1"], confirm=False)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Zorbia (zorbia, 2 stories)" in html
    assert "Zorbia Province (zorbia-province, 2 stories)" in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert Tag.objects.filter(pk=duplicates["dup1"].pk).exists()


def test_merge_keeps_every_story_link_and_combines_aliases(client, editor, duplicates):
    """After merging, every story of any merged tag carries the kept tag once; the others' aliases and names
    become its aliases, except a spelling that is already some tag's alias; the others are gone."""
    client.force_login(editor)
    keep, dup1, dup2 = duplicates["keep"], duplicates["dup1"], duplicates["dup2"]
    response = merge(client, keep, dup1, dup2)
    assert response.status_code == 302
    assert not Tag.objects.filter(pk__in=[dup1.pk, dup2.pk]).exists()
    stories = {duplicates[name].pk for name in "abcd"}
    assert set(keep.articles.values_list("pk", flat=True)) == stories
    assert Article.tags.through.objects.filter(tag=keep).count() == 4
    assert set(keep.aliases.values_list("name", flat=True)) == {
        "Zorbya",
        "Zorbia Province",
        "ຊອບເບຍ",
        "Zorbiya",
    }
    assert duplicates["other"].aliases.get().name == "Zorbie"
    (message,) = [str(m) for m in response.wsgi_request._messages]
    assert message == (
        "Merged 2 tags into “Zorbia”. Story links moved: 2; aliases added: 3; duplicate spellings skipped: 1."
    )


def test_merge_needs_at_least_two_tags(client, editor, duplicates):
    """Selecting one tag merges nothing and says why."""
    client.force_login(editor)
    response = client.post(
        URL, {"action": "merge_selected_tags", "index": 0, "_selected_action": [duplicates["keep"].pk]}
    )
    assert response.status_code == 302
    assert [str(m) for m in response.wsgi_request._messages] == ["Select at least two tags to merge."]


def test_merge_is_refused_without_delete_permission(client, duplicates):
    """A user who may change but not delete tags cannot merge them, even by posting the form by hand: 403."""
    user = staff("curator", "view_tag", "change_tag")
    client.force_login(user)
    assert "merge_selected_tags" not in client.get(URL).content.decode()
    response = merge(client, duplicates["keep"], duplicates["dup1"])
    assert response.status_code == 403
    assert Tag.objects.filter(pk=duplicates["dup1"].pk).exists()
    assert set(duplicates["keep"].articles.values_list("title_en", flat=True)) == {"a", "b"}


def test_the_list_shows_story_counts_in_a_fixed_number_of_queries(client, editor, duplicates):
    """Each tag shows how many stories carry it; adding tags and stories adds no query to the list."""
    client.force_login(editor)
    with CaptureQueriesContext(connection) as small:
        response = client.get(URL, {"q": "zorb"})
    counts = {tag.slug: tag.stories for tag in response.context["cl"].result_list}
    assert counts == {"zorbia": 2, "zorbia-province": 2, "zorbiya": 1, "zorb-plain": 0}
    assert '<td class="field-story_count">2</td>' in response.content.decode()
    for n in range(30):
        tag = Tag.objects.create(slug=f"zorb-{n}", name_en=f"Zorb {n}")
        tag.articles.add(story(f"x{n}"), story(f"y{n}"))
    with CaptureQueriesContext(connection) as large:
        response = client.get(URL, {"q": "zorb"})
    assert len(response.context["cl"].result_list) == 34
    assert len(large) == len(small)


def test_search_finds_tags_by_slug_any_language_name_and_alias(client, editor, duplicates):
    """The tag list (and the autocomplete) finds a tag by its slug, its name in any language, or an alias."""
    client.force_login(editor)

    def found(query: str) -> set[str]:
        return {tag.slug for tag in client.get(URL, {"q": query}).context["cl"].result_list}

    assert found("ຊອບເບຍ") == {"zorbia-province"}
    assert found("zorb-pl") == {"zorb-plain"}
    assert found("Zorbie") == {"zorbiya", "zorb-plain"}
    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {"term": "ຊອບ", "app_label": "newsroom", "model_name": "article", "field_name": "tags"},
    )
    assert [item["id"] for item in autocomplete.json()["results"]] == [str(duplicates["dup1"].pk)]


def test_the_tag_form_edits_aliases_inline(client, editor, duplicates):
    """A tag's page lists its aliases in an editable inline; saving a new alias stores it folded for matching."""
    client.force_login(editor)
    tag = duplicates["dup1"]
    url = reverse("admin:newsroom_tag_change", args=[tag.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="aliases-TOTAL_FORMS"' in response.content.decode()
    alias = tag.aliases.get()
    data = {
        "slug": tag.slug,
        "kind": tag.kind,
        "name_vi": "Tỉnh Zorbia",
        "name_en": tag.name_en,
        "name_lo": tag.name_lo,
        "note": "",
        "aliases-TOTAL_FORMS": 2,
        "aliases-INITIAL_FORMS": 1,
        "aliases-0-id": alias.pk,
        "aliases-0-tag": tag.pk,
        "aliases-0-name": alias.name,
        "aliases-1-tag": tag.pk,
        "aliases-1-name": "ZORBYA-PROVINCE",
    }
    assert client.post(url, data).status_code == 302
    assert set(tag.aliases.values_list("name", flat=True)) == {"Zorbya", "ZORBYA-PROVINCE"}
