"""The shipped registry: complete, loaded by the migration, and re-loadable without touching edits."""

import json
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from newsroom.models import Outlet, Tag, TagAlias, Topic
from newsroom.registry import load

pytestmark = pytest.mark.django_db


def test_three_topics_with_names_in_every_default_language():
    """industrial-promotion, ocop and cross-border-cooperation ship named in every content language."""
    topics = {topic.slug: topic for topic in Topic.objects.all()}
    assert {"industrial-promotion", "ocop", "cross-border-cooperation"} <= set(topics)
    for topic in topics.values():
        for language in settings.CONTENT_LANGUAGES:
            assert getattr(topic, f"name_{language.replace('-', '_')}"), (topic.slug, language)
        assert topic.keywords.count() >= 9


def test_every_tag_is_named_in_every_default_language():
    """Each tag has a name in every content language and an ASCII slug."""
    for tag in Tag.objects.all():
        assert tag.slug.isascii()
        for language in settings.CONTENT_LANGUAGES:
            assert getattr(tag, f"name_{language.replace('-', '_')}"), (tag.slug, language)


def test_the_34_provinces_and_former_ones_are_there():
    """All 34 provincial units after the 2025 merger, and former provinces stories still name."""
    vietnamese = [
        t for t in load("tags.json") if t["kind"] == "place" and t.get("topic") is None and t["slug"] != "vietnam"
    ]
    former = {t["slug"] for t in vietnamese if t.get("note", "").startswith("Merged into")}
    assert len(vietnamese) - len(former) == 34
    assert {"bac-giang", "ha-giang", "vinh-phuc", "ba-ria-vung-tau", "quang-nam", "kien-giang"} <= former
    assert former <= set(Tag.objects.values_list("slug", flat=True))


def test_bac_ninh_aliases_in_every_script():
    """Bac Ninh is found by its Vietnamese, Hindi, Japanese, Chinese, Korean and Russian names."""
    aliases = set(TagAlias.objects.filter(tag__slug="bac-ninh").values_list("name", flat=True))
    assert {"Bắc Ninh", "Bac Ninh", "बाक निन्ह", "バクニン", "北宁", "박닌", "Бакнинь"} <= aliases


def test_foreign_border_provinces_imply_cross_border_cooperation():
    """Laos, China, Cambodia and their border provinces count towards cross-border cooperation."""
    for slug in ["laos", "china", "cambodia", "guangxi", "yunnan", "xaisomboun", "houaphanh"]:
        assert Tag.objects.get(slug=slug).topic.slug == "cross-border-cooperation", slug


def test_no_alias_belongs_to_two_tags():
    """The database refuses an alias key twice, so every alias names one tag."""
    keys = list(TagAlias.objects.values_list("key", flat=True))
    assert len(keys) == len(set(keys))


def test_load_registry_keeps_editors_changes():
    """Running load_registry again changes no edited name and adds nothing twice."""
    tag = Tag.objects.get(slug="bac-ninh")
    tag.name_en = "Bac Ninh (province)"
    tag.save()
    counts = (Tag.objects.count(), TagAlias.objects.count(), Topic.objects.count(), Outlet.objects.count())
    out = StringIO()
    call_command("load_registry", stdout=out)
    assert "0 created" in out.getvalue()
    tag.refresh_from_db()
    assert tag.name_en == "Bac Ninh (province)"
    assert (Tag.objects.count(), TagAlias.objects.count(), Topic.objects.count(), Outlet.objects.count()) == counts


def test_load_registry_restores_a_deleted_shipped_tag():
    """A shipped tag deleted by mistake comes back with its aliases."""
    Tag.objects.filter(slug="laos").delete()
    call_command("load_registry", stdout=StringIO())
    assert TagAlias.objects.filter(tag__slug="laos", name="लाओस").exists()


def test_registry_files_are_valid_json_lists():
    """The data files an editor may extend parse and have the documented shape."""
    for name in ["tags.json", "topics.json", "outlets.json"]:
        data = json.loads((settings.BASE_DIR / "newsroom" / "registry" / name).read_text(encoding="utf-8"))
        assert isinstance(data, list) and data
