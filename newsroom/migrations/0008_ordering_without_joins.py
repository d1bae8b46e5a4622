"""Images and revisions ordered by their story's id, not by their story: ordering by the foreign key itself
followed it to the story's own ordering, so every read of a story's images joined the article table to sort
by publication date. Nothing changes in the database."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("newsroom", "0007_searchdocument_toast"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="articleimage",
            options={"ordering": ["article_id", "position", "pk"]},
        ),
        migrations.AlterModelOptions(
            name="revision",
            options={"ordering": ["article_id", "-version", "-pk"]},
        ),
    ]
