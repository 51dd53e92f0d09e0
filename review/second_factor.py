"""The second-factor step of staff sign-in (django-otp), at ``/admin/second-factor/``.

Enrolment needs a one-time link given out of band (issue 30; ``review.services.second_factor``):
a supervisor issues it in the admin, or ``manage.py second_factor_link`` for the first account.
Signed in with the password, the account opens the link (``/admin/second-factor/enrol/<token>/``,
spent at once); the step then shows the QR code (``core.qr``) and the secret of a new TOTP
device, confirmed with a code; ten single-use backup codes are shown once. Without a link an
account with no device sees only "ask a supervisor". Later logins: the code of the app, or one
backup code; wrong codes count with the failed logins (django-axes). A verified member of staff
gets new backup codes at ``/admin/backup-codes/`` with a code of the second factor.
``review.middleware.StaffSecondFactorMiddleware`` sends every staff page to the step until then.
"""

from __future__ import annotations

import base64
import logging

from django import forms
from django.contrib.auth import logout
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
from django_otp.plugins.otp_totp.models import TOTPDevice

from applicants import lockout
from core.qr import qr_svg
from core.second_factor import has_device, is_verified, needs_second_factor, verify_code

from . import audit
from .services import second_factor as enrolments

AUTHENTICATOR_NAME = "authenticator"


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


ENROLMENT_SESSION_KEY = "_second_factor_enrolment"


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
    enrolment = enrolments.open_enrolment(user, request.session.get(ENROLMENT_SESSION_KEY))
    if enrolment is None:
        # The password alone never enrols a device: a supervisor's link is needed.
        return _page(request, "review/second_factor_no_device.html", {})
    return _enrol(request, user, enrolment)


@never_cache
@login_required
def enrol(request, token):
    """The one-time enrolment link: spent by its own account, signed in with the password; the
    step then sets up the authenticator (the token leaves the address bar at once)."""
    user = request.user
    if not needs_second_factor(user):
        raise Http404
    # An account with a device has no open link (issuing one deletes the device).
    enrolment = None if has_device(user) else enrolments.open_link(user, token, request=request)
    if enrolment is None:
        return _page(request, "review/second_factor_link_refused.html", {}, status=400)
    request.session[ENROLMENT_SESSION_KEY] = enrolment.pk
    return redirect(reverse("second_factor"))


def _locked_out(request, user):
    """The account is locked for this address (failed logins and wrong codes, django-axes):
    the half-done sign-in ends, and the answer is the lock's (429, when to retry)."""
    credentials = lockout.credentials_of(user)
    logout(request)
    return lockout.lockout_response(request, credentials=credentials)


def _verify(request, user):
    if lockout.is_locked(request, user):
        return _locked_out(request, user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = verify_code(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            lockout.count_success(request, user)
            audit.log_event("second_factor_passed", request=request, device=device.persistent_id)
            return redirect(_next_url(request))
        audit.log_event("second_factor_failed", request=request, level=logging.WARNING)
        # Counted with the failed logins, as over the API: locked at AXES_FAILURE_LIMIT.
        lockout.count_failure(request, user)
        if lockout.locked_now(request):
            logout(request)  # AxesMiddleware answers with the lock
        form.add_error("code", _("The code is not correct or was already used. Try again."))
    return _page(request, "review/second_factor_verify.html", {"form": form})


def _enrol(request, user, enrolment):
    device = _pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token("".join(form.cleaned_data["code"].split())):
            with transaction.atomic():
                if not enrolments.complete(enrolment):  # finished in another tab meanwhile
                    return redirect(reverse("second_factor"))
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                TOTPDevice.objects.filter(user=user, confirmed=False).delete()
                codes = enrolments.issue_backup_codes(user)
            request.session.pop(ENROLMENT_SESSION_KEY, None)
            otp_login(request, device)
            lockout.count_success(request, user)
            audit.log_event("second_factor_enrolled", request=request, enrolment=enrolment.pk)
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


@never_cache
@login_required
def backup_codes(request):
    """New backup codes (the earlier ones stop working), for a verified member of staff who
    types a code of the second factor again; wrong codes count with the failed logins."""
    user = request.user
    if not needs_second_factor(user):
        raise Http404
    if not is_verified(user):
        return redirect(f"{reverse('second_factor')}?next={request.path}")
    if lockout.is_locked(request, user):
        return _locked_out(request, user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = verify_code(user, form.cleaned_data["code"])
        if device is not None:
            codes = enrolments.issue_backup_codes(user)
            audit.log_event("backup_codes_regenerated", request=request)
            return _page(
                request,
                "review/second_factor_backup_codes.html",
                {"codes": codes},
            )
        audit.log_event("second_factor_failed", request=request, level=logging.WARNING)
        lockout.count_failure(request, user)
        if lockout.locked_now(request):
            logout(request)
        form.add_error("code", _("The code is not correct or was already used. Try again."))
    return _page(
        request,
        "review/second_factor_new_backup_codes.html",
        {"form": form, "next": reverse("admin:index")},
    )
