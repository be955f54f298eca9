"""Helpers for data migrations that grant permissions to the role groups.

Permissions are normally created after all migrations (post_migrate); a data migration that
grants them must create them first, for the apps it names.
"""

from django.contrib.auth.management import create_permissions


def grant_permissions(apps, grants: dict[str, list[str]], *, app_labels: list[str]) -> None:
    """Add `app_label.codename` permissions to the named groups (idempotent)."""
    for label in app_labels:
        app_config = apps.get_app_config(label)
        # Migration-state app configs have no models_module; create_permissions needs one.
        app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group_name, perms in grants.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        for perm in perms:
            app_label, codename = perm.split(".")
            group.permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename)
            )
