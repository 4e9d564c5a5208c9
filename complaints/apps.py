from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def sync_roles(sender, using="default", **kwargs) -> None:
    """Bring both staff groups to exactly their permissions after every migrate (and flush).

    The roles migration creates them on a new database; this keeps them right when a later
    release adds a permission, and restores them after a test flush empties the tables.
    """
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    from complaints.roles import apply_roles

    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using)
    apply_roles(Group, Permission)


class ComplaintsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "complaints"
    verbose_name = _("Complaints")

    def ready(self) -> None:
        from complaints import checks  # noqa: F401  (registers the system checks)

        post_migrate.connect(sync_roles, sender=self, dispatch_uid="complaints.sync_roles")
        # The outbox renders and reports back through these hooks; it imports nothing of ours.
        from django.contrib.auth import get_user_model

        from complaints import emails, outbox
        from notifications import rendering, services

        rendering.use_context(emails.email_context)
        services.on_sent(outbox.after_sent)
        services.on_delivery_delayed(outbox.delivery_delayed)
        # The outbox's admin lists rows about cases: the queue's visibility rule applies.
        from complaints.querysets import case_rows_visible_to
        from notifications import admin as outbox_admin

        outbox_admin.use_visibility(case_rows_visible_to)
        # Staff show by their full name wherever the admin prints a user (selects, history's
        # "changed by", read-only fields), not by their login name.
        get_user_model().__str__ = staff_name  # type: ignore[method-assign]


def staff_name(user) -> str:
    return user.get_full_name() or user.get_username()
