"""Signing staff in for tests with a real second factor: a TOTP device and its current code."""

from __future__ import annotations

import time

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


def current_code(device: TOTPDevice) -> str:
    """Return the code an authenticator app shows for `device` now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    return f"{totp.token():0{device.digits}d}"


def authenticator(user) -> TOTPDevice:
    """Return the user's authenticator app, set up (confirmed) if they had none.

    No code is spent here: a code is good once, so the sign-in that follows may use this one.
    """
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test phone", confirmed=True)
    return device


class StaffClient(Client):
    """A test client whose force_login also passes the second factor, as the sign-in would.

    The session then names the user's authenticator as the sign-in form does after a right
    code, and OTPMiddleware checks that device on every request as in production. The sign-in
    with real codes is tested in tests/security/test_staff_sign_in.py and the browser test.
    """

    def force_login(self, user, backend=None, *, second_factor: bool = True):
        super().force_login(user, backend)
        if second_factor and user.is_staff:
            session = self.session
            session[DEVICE_ID_SESSION_KEY] = authenticator(user).persistent_id
            session.save()
