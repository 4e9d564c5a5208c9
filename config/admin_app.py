"""The admin app with Redress's own site (config.staff.RedressAdminSite) as the default site."""

from django.contrib.admin.apps import AdminConfig


class RedressAdminConfig(AdminConfig):
    default_site = "config.staff.RedressAdminSite"
