"""The desk's roles: Editor (everything), Translator (translations only), Reporter (drafts only).

The permissions are the floor; the admin enforces the finer rules on the server
(a Translator cannot change the original language's text or the status, a
Reporter cannot touch a story once it left the draft state). Migration 0003
creates the groups; ``create_roles`` can be run again at any time.
"""

from django.contrib.auth.management import create_permissions

ROLES = {
    "Editor": None,  # every permission of the app
    "Translator": [
        "view_article", "change_article", "translate_article",
        "view_articleimage", "change_articleimage",
        "view_tag", "view_topic", "view_outlet", "view_revision",
    ],
    "Reporter": [
        "view_article", "add_article", "change_article",
        "view_articleimage", "add_articleimage", "change_articleimage",
        "view_tag", "view_topic", "view_outlet", "view_revision",
    ],
}  # fmt: skip


def create_roles(apps) -> None:
    """Create the role groups with their permissions (``apps``: a migration's or the live registry)."""
    # Permissions are normally created after all migrations; the roles need them now.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    app_permissions = Permission.objects.filter(content_type__app_label="newsroom")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = app_permissions if codenames is None else app_permissions.filter(codename__in=codenames)
        group.permissions.add(*permissions)
