"""`Authorization: Bearer <key>`: the request acts as the API client the key belongs to."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from api import selectors, services


class ApiKeyAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("Send the key as: Authorization: Bearer <key>."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise AuthenticationFailed(_("This API key is not valid.")) from None
        client = selectors.api_client_for_key(key)
        if client is None:
            raise AuthenticationFailed(_("This API key is not valid or has been revoked."))
        services.api_client_touch(client=client)
        # request.user stays anonymous: the client is no person, and the history of the
        # complaints it writes (simple_history reads request.user) names no user.
        return AnonymousUser(), client

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'
