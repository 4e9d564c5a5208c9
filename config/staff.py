"""Staff sign-in: a second factor (django-otp: an authenticator app, with recovery codes),
lockouts after failed attempts (django-axes) and sessions that end after an idle time.

The admin site is Redress's own (config.admin_app makes it the default site, so every
`@admin.register` lands on it). Two factors are required of superusers and supervisors, and of
handlers unless REDRESS_2FA_REQUIRED_FOR_HANDLERS is off; anyone may turn them on. A staff member
who must have them and has none yet is sent to enrol before any other admin page.
"""

from __future__ import annotations

import time
from base64 import b32encode
from contextvars import ContextVar
from functools import cache, wraps
from typing import Any, cast
from urllib.parse import urlencode

import segno
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import SESSION_KEY, get_user_model, user_logged_in, user_login_failed
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user
from django_otp import login as otp_login
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from unfold.sites import UnfoldAdminSite

# The device the session names, read with its user in one query (StaffOTPMiddleware) for this
# request only: StaffPermissionsBackend.get_user gives that user instead of reading them again.
_DEVICE_READ_WITH_USER: ContextVar[Device | None] = ContextVar(
    "device_read_with_user", default=None
)


class StaffPermissionsBackend(ModelBackend):
    """Django's ModelBackend, reading a user's permissions in one query instead of two.

    ModelBackend asks for the user's own permissions and for their groups' separately; every
    console page needs both, so here one query reads them together (two subqueries). Nothing
    outlives the request: a permission removed takes effect on the next one, as before.
    """

    def get_user(self, user_id):
        device = _DEVICE_READ_WITH_USER.get()
        if device is None or device.user_id != user_id:
            return super().get_user(user_id)
        user = device.user
        # ModelBackend's own check on the row it would have read.
        return user if self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            every, own = _permission_statements()
            with connection.cursor() as cursor:
                if user_obj.is_superuser:
                    cursor.execute(every)
                else:
                    cursor.execute(own, [user_obj.pk, user_obj.pk])
                user_obj._perm_cache = {
                    f"{app_label}.{codename}" for app_label, codename in cursor.fetchall()
                }
        return user_obj._perm_cache


@cache
def _permission_statements() -> tuple[str, str]:
    """Return the SQL reading every permission, and a user's own and their groups' (two
    parameters: the user's id twice), as app_label and codename.

    Written out: composing the same query from querysets on every console page cost a
    millisecond of CPU (profile_pages.py, the case page as its handler).
    """
    user = get_user_model()
    tables = {
        "permission": Permission._meta.db_table,
        "content_type": ContentType._meta.db_table,
        "user_permission": user.user_permissions.through._meta.db_table,
        "group_permission": Group.permissions.through._meta.db_table,
        "user_group": user.groups.through._meta.db_table,
    }
    every = (
        "SELECT ct.app_label, p.codename FROM {permission} p"
        " JOIN {content_type} ct ON ct.id = p.content_type_id"
    ).format(**tables)
    own = (
        every + " WHERE p.id IN (SELECT up.permission_id FROM {user_permission} up"
        " WHERE up.user_id = %s)"
        " OR p.id IN (SELECT gp.permission_id FROM {group_permission} gp"
        " JOIN {user_group} ug ON ug.group_id = gp.group_id WHERE ug.user_id = %s)"
    ).format(**tables)
    return every, own


RECOVERY_CODES = 10
# The session's expiry is pushed back at most this often: a write per minute, not per request.
IDLE_TOUCH_SECONDS = 60
SEEN_KEY = "redress_seen"


def two_factor_required(user) -> bool:
    """Return whether `user` may use the admin only after a second factor."""
    return (
        user.is_superuser
        or user.has_perm("complaints.view_all_complaints")
        or settings.REDRESS_2FA_REQUIRED_FOR_HANDLERS
    )


def is_verified(user) -> bool:
    """Return whether this request's user passed the second factor (OTPMiddleware says so)."""
    return bool(getattr(user, "is_verified", lambda: False)())


def has_second_factor(user) -> bool:
    return any(devices_for_user(user, confirmed=True))


def verified_device(user, token: str):
    """Return the user's device that accepts `token` (an app's code or a recovery code)."""
    token = token.replace(" ", "").replace("-", "").lower()
    kinds = (TOTPDevice,) if token.isdigit() and len(token) == 6 else (StaticDevice,)
    for device in devices_for_user(user, confirmed=True):
        if not isinstance(device, kinds):
            continue
        allowed, _reason = device.verify_is_allowed()
        if allowed and device.verify_token(token):
            return device
    return None


class StaffAuthenticationForm(AdminAuthenticationForm):
    """The admin's sign-in with a second field for the code of a second factor."""

    otp_token = forms.CharField(
        label=gettext_lazy("Code"),
        required=False,
        max_length=32,
        strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        help_text=gettext_lazy(
            "The six digits from your authenticator app, or one of your recovery codes. "
            "Leave it empty if you have not set up two-factor sign-in yet."
        ),
    )

    def clean(self):
        cleaned = super().clean()
        user = self.get_user()
        if user is None or not has_second_factor(user):
            return cleaned
        token = cleaned.get("otp_token") or ""
        device = verified_device(user, token) if token else None
        if device is None:
            # Counted like a wrong password, per account and address (django-axes).
            user_login_failed.send(
                sender=__name__,
                credentials={"username": cleaned.get("username")},
                request=self.request,
            )
            raise forms.ValidationError(
                _("Enter the code from your authenticator app, or a recovery code.")
                if not token
                else _(
                    "That code is not right, or it was used already. Wait for the next one "
                    "and try again."
                ),
                code="otp",
            )
        user.otp_device = device  # type: ignore[attr-defined]  # kept in the session on sign-in
        return cleaned


class RedressAdminSite(UnfoldAdminSite):
    """The console's theme's site (django-unfold) with a second factor at sign-in."""

    login_form = StaffAuthenticationForm
    login_template = "admin/redress_login.html"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        if not super().has_permission(request):
            return False
        if is_verified(user):
            return True
        # Someone who set up a second factor always signs in with it.
        return not two_factor_required(user) and not has_second_factor(user)

    def get_app_list(self, request: HttpRequest, app_label: str | None = None) -> list[Any]:
        # Built when read: every page's context asks for it (AdminSite.each_context), but with the
        # sidebar by task (config/console.py) only the index pages show it; building it checks
        # permissions and reverses two URLs per model, 5% of the case page (profile_pages.py).
        return cast(
            list[Any],
            SimpleLazyObject(
                lambda: super(RedressAdminSite, self).get_app_list(request, app_label)
            ),
        )

    def _call_permission_callback(self, callback, request: HttpRequest) -> bool:
        # The theme asks `lazy(callback)(request) == True` of each of the sidebar's nineteen
        # items on every page, and lazy() builds a class each time; the same question asked
        # directly.
        if callable(callback):
            return callback(request) == True  # noqa: E712  # as the theme compares
        return super()._call_permission_callback(callback, request)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)

        @wraps(view)
        def enrolled_first(request, *args, **kwargs):
            user = request.user
            if (
                user.is_active
                and user.is_staff
                and not is_verified(user)
                and two_factor_required(user)
                and not has_second_factor(user)
            ):
                query = urlencode({"next": request.get_full_path()})
                return redirect(f"{reverse('admin:two_factor', current_app=self.name)}?{query}")
            return inner(request, *args, **kwargs)

        return enrolled_first

    def get_urls(self):
        return [
            path("two-factor/", never_cache(csrf_protect(self.two_factor_view)), name="two_factor"),
            *super().get_urls(),
        ]

    def two_factor_view(self, request: HttpRequest) -> HttpResponse:
        """Set up two-factor sign-in (an authenticator app and recovery codes), or manage it."""
        user = request.user
        if not (user.is_active and user.is_staff):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('admin:login', current_app=self.name)}?{query}")
        app = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if app is not None and not is_verified(user):
            # Signed in before setting it up elsewhere: sign in again with the code.
            return redirect(reverse("admin:logout", current_app=self.name))
        context = {**self.each_context(request), "title": _("Two-factor sign-in")}
        next_url = _safe_next(request)
        if app is None:
            return self._enrol(request, user, context, next_url)
        context |= {
            "enrolled": True,
            "required": two_factor_required(user),
            "codes_left": StaticToken.objects.filter(device__user=user).count(),
            "next": next_url,
        }
        if request.method == "POST" and request.POST.get("action") == "new_codes":
            context["codes"] = _new_recovery_codes(user)
        elif (
            request.method == "POST"
            and request.POST.get("action") == "turn_off"
            and not two_factor_required(user)
        ):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=user).delete()
                StaticDevice.objects.filter(user=user).delete()
            return redirect(reverse("admin:index", current_app=self.name))
        return TemplateResponse(request, "admin/two_factor.html", context)

    def _enrol(self, request, user, context, next_url) -> HttpResponse:
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(
                user=user, name=_("Authenticator app"), confirmed=False
            )
        error = ""
        if request.method == "POST":
            code = request.POST.get("code", "").replace(" ", "")
            if device.verify_token(code):
                with transaction.atomic():
                    device.confirmed = True
                    device.save(update_fields=["confirmed"])
                    codes = _new_recovery_codes(user)
                otp_login(request, device)
                context |= {"enrolled": True, "codes": codes, "just_enrolled": True}
                context["next"] = next_url
                return TemplateResponse(request, "admin/two_factor.html", context)
            error = _("That code is not right. Check the time on your phone and try the next one.")
        context |= {
            "enrolled": False,
            "required": two_factor_required(user),
            "qr_code": mark_safe(segno.make(device.config_url).svg_inline(scale=4)),  # noqa: S308
            "secret": b32encode(device.bin_key).decode(),
            "error": error,
            "next": next_url,
        }
        return TemplateResponse(request, "admin/two_factor.html", context)


def _safe_next(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(wanted, {request.get_host()}):
        return wanted
    return reverse("admin:index")


def _new_recovery_codes(user) -> list[str]:
    """Replace the user's recovery codes with new ones; return them (shown once)."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, defaults={"name": "Recovery codes", "confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def locked_out(request, original_response=None, credentials=None) -> HttpResponse:
    """What django-axes answers a locked-out sign-in: the sign-in page saying why, with 429."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    context = {
        **admin.site.each_context(request),
        "title": _("Log in"),
        "form": StaffAuthenticationForm(request),
        "app_path": request.get_full_path(),
        "lockout": _(
            "Too many failed sign-ins for this account or from this address. Try again in "
            "%(minutes)d minutes, or ask a supervisor to unlock it (Axes › Access attempts)."
        )
        % {"minutes": minutes},
    }
    return TemplateResponse(request, "admin/redress_login.html", context, status=429).render()


class StaffOTPMiddleware(OTPMiddleware):
    """django-otp's middleware, reading the session's device and its user in one query, not two.

    OTPMiddleware reads the device the session names on every request, after Django read the
    signed-in user; here the device comes with its user, who is the signed-in user whenever the
    session is sound. Both are then checked exactly as before, on rows read by this request
    (nothing is kept between requests): Django's get_user takes this user through
    StaffPermissionsBackend.get_user (active, session hash) and OTPMiddleware the device
    (the user's own, confirmed). A device deleted or a user deactivated shows at once; where the
    device is gone or belongs to someone else, the user is read on their own as before.
    """

    def _verify_user_sync(self, request, user):
        token = _DEVICE_READ_WITH_USER.set(self._device_with_user(request))
        try:
            return super()._verify_user_sync(request, user)
        finally:
            _DEVICE_READ_WITH_USER.reset(token)

    def _device_with_user(self, request) -> Device | None:
        """Return the device the session names, with its user if that is the session's user."""
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        user_id = request.session.get(SESSION_KEY)
        if not persistent_id or user_id is None:
            return None
        try:
            label, pk = self._normalize_persistent_id(persistent_id).rsplit("/", 1)
            model = apps.get_model(label)
            if not issubclass(model, Device):
                return None
            device = model.objects.select_related("user").filter(id=int(pk)).first()
            user_id = get_user_model()._meta.pk.to_python(user_id)
        except (ValueError, LookupError, ValidationError):
            return None
        if device is None or device.user_id != user_id:
            return None
        return device

    def _device_from_persistent_id(self, persistent_id: str):
        device = _DEVICE_READ_WITH_USER.get()
        if device is not None and self._normalize_persistent_id(persistent_id) == (
            device.persistent_id
        ):
            return device
        return super()._device_from_persistent_id(persistent_id)


class IdleSessionMiddleware:
    """End a signed-in session after REDRESS_SESSION_IDLE_MINUTES without a request.

    The session's age is that idle time (SESSION_COOKIE_AGE); a signed-in request pushes its
    expiry back, at most once a minute so that not every request writes the session.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session:
            now = int(time.time())
            if now - session.get(SEEN_KEY, 0) >= IDLE_TOUCH_SECONDS:
                session[SEEN_KEY] = now
        return self.get_response(request)


def _stamp_sign_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        request.session[SEEN_KEY] = int(time.time())


user_logged_in.connect(_stamp_sign_in, dispatch_uid="config.staff.stamp_sign_in")
