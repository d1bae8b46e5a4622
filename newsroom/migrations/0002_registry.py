"""Load the starter registry (topics, tags and aliases, outlets) shipped in newsroom/registry/."""

from django.db import migrations


def load(apps, schema_editor):
    from newsroom.registry import sync_registry

    sync_registry(apps)


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
