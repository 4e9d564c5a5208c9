from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint


class ComplaintFigures(Complaint):
    """The complaints seen as figures: the admin's home for the dashboard and the exports.

    A proxy with no permissions of its own: supervisors reach it through
    complaints.view_all_complaints, which they already hold.
    """

    class Meta:
        proxy = True
        default_permissions = ()
        verbose_name = _("complaint figures")
        verbose_name_plural = _("complaint figures")
