"""Create the desk's roles (see newsroom/roles.py)."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from newsroom.roles import create_roles

    create_roles(apps)


def remove_roles(apps, schema_editor):
    from newsroom.roles import ROLES

    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("newsroom", "0002_registry"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_roles, remove_roles)]
