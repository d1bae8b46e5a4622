"""The starter registry shipped as data: topics with keywords, tags with aliases, known outlets.

``sync_registry`` adds what is missing and fills empty translations; it never
changes or deletes what editors have edited, so it is safe to run again after
the data files grow. Migration 0002 runs it once; ``manage.py load_registry``
runs it again.
"""

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from modeltranslation.utils import build_localized_fieldname

from newsroom.text import match_key

DATA_DIR = Path(__file__).resolve().parent


@dataclass
class SyncReport:
    created: int = 0
    filled: int = 0
    aliases: int = 0
    skipped_aliases: int = 0


def load(name: str) -> list[dict]:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def sync_registry(apps=None) -> SyncReport:
    """Bring the database's registry up to the shipped data. ``apps``: a migration's app registry."""
    if apps is None:
        from django.apps import apps
    Topic = apps.get_model("newsroom", "Topic")
    TopicKeyword = apps.get_model("newsroom", "TopicKeyword")
    Tag = apps.get_model("newsroom", "Tag")
    TagAlias = apps.get_model("newsroom", "TagAlias")
    Outlet = apps.get_model("newsroom", "Outlet")
    report = SyncReport()

    topics = {}
    for item in load("topics.json"):
        topic, created = Topic.objects.get_or_create(slug=item["slug"], defaults={"position": item["position"]})
        report.created += created
        _fill(topic, {"name": item["names"], "description": item["descriptions"]}, report)
        existing = set(topic.keywords.values_list("phrase", flat=True))
        new_keywords = []
        for language, phrases in item["keywords"].items():
            for phrase, weight in phrases:
                if phrase not in existing:
                    existing.add(phrase)
                    new_keywords.append(TopicKeyword(topic=topic, phrase=phrase, language=language, weight=weight))
        TopicKeyword.objects.bulk_create(new_keywords)
        topics[topic.slug] = topic

    taken = dict(TagAlias.objects.values_list("key", "tag_id"))
    for item in load("tags.json"):
        tag, created = Tag.objects.get_or_create(
            slug=item["slug"],
            defaults={"kind": item["kind"], "topic": topics.get(item.get("topic")), "note": item.get("note", "")},
        )
        report.created += created
        _fill(tag, {"name": item["names"]}, report)
        new = []
        for alias in dict.fromkeys([*item["names"].values(), *item["aliases"]]):
            key = match_key(alias)
            if not key:
                continue
            if key in taken:
                report.skipped_aliases += taken[key] != tag.pk
                continue
            taken[key] = tag.pk
            new.append(TagAlias(tag=tag, name=alias, key=key))
        TagAlias.objects.bulk_create(new)
        report.aliases += len(new)

    for item in load("outlets.json"):
        if (
            not Outlet.objects.filter(domain=item["domain"]).exists()
            and not Outlet.objects.filter(name=item["name"]).exists()
        ):
            Outlet.objects.create(**item)
            report.created += 1
    return report


def _fill(instance, translations: dict[str, dict[str, str]], report: SyncReport) -> None:
    """Write shipped translations into empty columns only."""
    changed = []
    for field, values in translations.items():
        for language in settings.CONTENT_LANGUAGES:
            column = build_localized_fieldname(field, language)
            if values.get(language) and not getattr(instance, column, ""):
                setattr(instance, column, values[language])
                changed.append(column)
        # A migration's historical model has no translation descriptors: its
        # plain column is written like any other.
        default = values.get(settings.CONTENT_LANGUAGES[0]) or values.get("en", "")
        if type(instance).__module__ == "__fake__" and default and not getattr(instance, field):
            setattr(instance, field, default)
            changed.append(field)
    if changed:
        instance.save(update_fields=changed)
        report.filled += len(changed)
