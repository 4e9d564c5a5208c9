"""Each view names the scope a client needs for each method."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.permissions import BasePermission

from api.models import ApiClient


class HasScope(BasePermission):
    def has_permission(self, request, view) -> bool:
        client = request.auth
        if not isinstance(client, ApiClient):
            return False
        needed = view.required_scopes.get(request.method)
        if needed is None or client.has_scope(needed):
            return True
        self.message = _("This API client does not have the “%(scope)s” scope.") % {"scope": needed}
        return False
