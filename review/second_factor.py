"""The second-factor step of staff sign-in (django-otp), at ``/admin/second-factor/``.

First login: enrolment. The page shows the QR code (``core.qr``) and the secret of a new TOTP
device; the member of staff adds it to an authenticator app and confirms it with a code. Ten
single-use backup codes are then shown once. Later logins: the code of the app, or one backup
code. ``review.middleware.StaffSecondFactorMiddleware`` sends every staff page here until then.
"""

from __future__ import annotations

import base64
import logging

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.qr import qr_svg
from core.second_factor import has_device, is_verified, needs_second_factor, verify_code

from . import audit

AUTHENTICATOR_NAME = "authenticator"
BACKUP_NAME = "backup codes"


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("The 6 digits your authenticator app shows now, or one unused backup code."),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("admin:index")


def secret_of(device: TOTPDevice) -> str:
    """The device's key as typed into an authenticator app (base32, in groups of four)."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _pending_device(user) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def issue_backup_codes(user) -> list[str]:
    """New single-use backup codes for ``user`` (earlier ones stop working)."""
    count = int(getattr(settings, "OTP_STATIC_BACKUP_CODES", 10))
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=BACKUP_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(count)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def _page(request, template, context, status=200):
    context = {
        "title": _("Second factor"),
        "site_header": _("Residence permit review"),
        "site_title": _("Residence permit review"),
        "has_permission": False,  # no admin navigation before the step is passed
        "next": _next_url(request),
        **context,
    }
    return render(request, template, context, status=status)


@never_cache
@login_required
def second_factor(request):
    user = request.user
    if not needs_second_factor(user):
        raise Http404
    if is_verified(user):
        return redirect(_next_url(request))
    if has_device(user):
        return _verify(request, user)
    return _enrol(request, user)


def _verify(request, user):
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = verify_code(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            audit.log_event("second_factor_passed", request=request, device=device.persistent_id)
            return redirect(_next_url(request))
        audit.log_event("second_factor_failed", request=request, level=logging.WARNING)
        form.add_error("code", _("The code is not correct or was already used. Try again."))
    return _page(request, "review/second_factor_verify.html", {"form": form})


def _enrol(request, user):
    device = _pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token("".join(form.cleaned_data["code"].split())):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            codes = issue_backup_codes(user)
            otp_login(request, device)
            audit.log_event("second_factor_enrolled", request=request)
            return _page(request, "review/second_factor_backup_codes.html", {"codes": codes})
        form.add_error(
            "code", _("The code is not correct. Check the time on your phone and try again.")
        )
    return _page(
        request,
        "review/second_factor_setup.html",
        {
            "form": form,
            "secret": secret_of(device),
            # segno draws a plain SVG (no script or style): safe to inline.
            "qr": mark_safe(qr_svg(device.config_url, scale=5)),  # noqa: S308
        },
    )
