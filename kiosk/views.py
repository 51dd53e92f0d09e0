"""The kiosk's pages (thin: each calls the services the phone pages call).

Start → sign in (phone, SMS code) → menu → renew a permit (person, materials, confirm with an SMS
code, printable acknowledgement) or look up one's applications (status, timeline, the station's
papers to print) → sign out. ``KioskMiddleware`` has already refused a browser without a live
device, ended an idle session and made every answer ``no-store``."""

from __future__ import annotations

import time
from functools import wraps

from django.conf import settings
from django.contrib.auth import login
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applicants.constants import PhoneCodePurpose
from applicants.services import request_phone_code, sign_in_with_code
from applicants.services.phone_codes import code_just_used, kiosk_source
from core.errors import InvalidInput, ServiceError, add_service_errors
from core.phones import mask_phone
from core.qr import qr_svg
from permits.constants import ApplicationState
from permits.selectors.applications import applications_of
from permits.selectors.documents import documents_of
from permits.services import applications as services
from permits.services.rendering import document_title, render_html_body

from . import selectors
from .forms import CodeForm, PhoneForm, SetUpForm, UploadForm
from .middleware import (
    DEVICE_COOKIE,
    SESSION_DEVICE,
    SESSION_LANGUAGE,
    end_kiosk_session,
    forget_person,
    idle_seconds,
)
from .services.devices import set_up_screen

SESSION_PHONE = "kiosk_phone"  # the number a code was sent to, until it is used
SESSION_CONFIRM = "kiosk_confirm_code_for"  # the application a submit code was sent for
DEVICE_COOKIE_MAX_AGE = 60 * 60 * 24 * 365


def signed_in(view):
    """A page for a signed-in person; the start screen otherwise."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect("kiosk:home")
        return view(request, *args, **kwargs)

    return wrapper


def _source(request) -> str:
    """Codes at a kiosk are counted per device, not per address (the whole hall shares one)."""
    return kiosk_source(request.kiosk_device.pk)


def _own_application(request, pk):
    return get_object_or_404(applications_of(request.user), pk=pk)


# --- the screen --------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def setup(request):
    """Set this screen up as a kiosk with the token the supervisor was shown."""
    form = SetUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = set_up_screen(form.cleaned_data["token"])
        if device is None:
            form.add_error("token", _("This token is not valid or was revoked."))
        else:
            response = redirect("kiosk:home")
            response.set_cookie(
                DEVICE_COOKIE,
                form.cleaned_data["token"].strip(),
                max_age=DEVICE_COOKIE_MAX_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Strict",
            )
            return response
    return render(request, "kiosk/setup.html", {"form": form})


@require_GET
def home(request):
    if request.user.is_authenticated:
        return redirect("kiosk:menu")
    return render(
        request,
        "kiosk/home.html",
        {
            "timed_out": request.GET.get("timeout") == "1",
            "signed_out": request.GET.get("bye") == "1",
        },
    )


@require_POST
def language(request):
    """The language toggle: for this kiosk session only (the next person starts in Chinese)."""
    code = request.POST.get("language", "")
    if code in {code for code, _name in settings.LANGUAGES}:
        request.session[SESSION_LANGUAGE] = code
    target = request.POST.get("next", "")
    if not (
        target.startswith("/kiosk/")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()})
    ):
        target = reverse("kiosk:home")
    return redirect(target)


@require_GET
def touch(request):
    """The page's own timer says the person is still there (typing, reading)."""
    return HttpResponse(status=204 if request.user.is_authenticated else 401)


@require_POST
def sign_out(request):
    """Sign out and leave nothing of the person in this browser: the session is deleted on the
    server and its cookie removed, the CSRF cookie too, and the browser is told to drop its
    cache and storage for the site (the device token stays: it is the machine's)."""
    end_kiosk_session(request)
    # (the emptied session's cookie is deleted by SessionMiddleware)
    return forget_person(redirect(reverse("kiosk:home") + "?bye=1"))


# --- sign in -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def sign_in(request):
    if request.user.is_authenticated:
        return redirect("kiosk:menu")
    form = PhoneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            request_phone_code(
                phone=phone, purpose=PhoneCodePurpose.SIGN_IN, client_ip=_source(request)
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            request.session[SESSION_PHONE] = phone
            return redirect("kiosk:sign_in_code")
    return render(request, "kiosk/sign_in.html", {"form": form})


@require_http_methods(["GET", "POST"])
def sign_in_code(request):
    if request.user.is_authenticated:
        return redirect("kiosk:menu")
    phone = request.session.get(SESSION_PHONE)
    if not phone:
        return redirect("kiosk:sign_in")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_in_with_code(
                phone=phone, code=form.cleaned_data["code"], client_ip=_source(request)
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            # login() keeps the session's data (the language picked) under a new key
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            request.session.pop(SESSION_PHONE, None)
            request.session[SESSION_DEVICE] = request.kiosk_device.pk
            return redirect("kiosk:menu")
    return render(
        request, "kiosk/sign_in_code.html", {"form": form, "masked_phone": mask_phone(phone)}
    )


# --- the services ------------------------------------------------------------------------------


@require_GET
@signed_in
def menu(request):
    return render(request, "kiosk/menu.html", {"idle_seconds": idle_seconds()})


@require_http_methods(["GET", "POST"])
@signed_in
def renew(request):
    """Whose permit to renew: the account's own and its dependents', each with what stands in
    the way today (the same eligibility check as the phone pages)."""
    people = selectors.renewable_people(request.user)
    for person in people:
        person.reasons = services.check_eligibility(
            user=request.user, person=person.identity, service=selectors.kiosk_service()
        )
    if request.method == "POST":
        person = next((p for p in people if str(p.identity.pk) == request.POST.get("person")), None)
        if person is None:
            raise Http404
        try:
            application = services.start_application(
                user=request.user,
                person=person.identity,
                service=selectors.kiosk_service(),
                basis=person.permit.basis,
            )
        except ServiceError as exc:
            person.reasons = exc.reasons or [str(exc)]
        else:
            return redirect("kiosk:renew_materials", application.pk)
    return render(request, "kiosk/renew.html", {"people": people})


def _draft(request, pk):
    application = _own_application(request, pk)
    if application.service != selectors.kiosk_service():
        raise Http404
    return application


@require_http_methods(["GET", "POST"])
@signed_in
def renew_materials(request, pk):
    """Each material the renewal asks for: done, or what the portal holds (one touch), or a scan
    from the kiosk's camera or scanner."""
    application = _draft(request, pk)
    if application.state != ApplicationState.DRAFT:
        return redirect("kiosk:application", application.pk)
    error = None
    if request.method == "POST":
        code = request.POST.get("code", "")
        try:
            if request.POST.get("action") == "reuse":
                services.reuse_material(
                    user=request.user, application=application, requirement_code=code
                )
            else:
                form = UploadForm(request.POST, request.FILES)
                if not form.is_valid():
                    raise InvalidInput(" ".join(form.errors.get("file", [])))
                services.upload_material(
                    user=request.user,
                    application=application,
                    requirement_code=code,
                    file=form.cleaned_data["file"],
                )
        except ServiceError as exc:
            error = {"code": code, "message": str(exc)}
        else:
            return redirect("kiosk:renew_materials", application.pk)
    rows = selectors.material_rows(application)
    return render(
        request,
        "kiosk/renew_materials.html",
        {
            "application": application,
            "rows": rows,
            "complete": all(row["done"] for row in rows if row["required"]),
            "error": error,
            "upload_form": UploadForm(),
        },
    )


@require_http_methods(["GET", "POST"])
@signed_in
def renew_confirm(request, pk):
    """Check and send: the SMS code stands in for the password (none is typed here)."""
    application = _draft(request, pk)
    if application.state != ApplicationState.DRAFT:
        return redirect("kiosk:receipt", application.pk)
    if application.missing_required_codes():
        return redirect("kiosk:renew_materials", application.pk)
    form = CodeForm(request.POST if request.POST.get("action") == "submit" else None)
    code_sent = request.session.get(SESSION_CONFIRM) == application.pk
    if request.method == "POST" and request.POST.get("action") == "send":
        try:
            request_phone_code(
                phone=request.user.phone,
                purpose=PhoneCodePurpose.CONFIRM_SUBMIT,
                client_ip=_source(request),
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            request.session[SESSION_CONFIRM] = application.pk
            code_sent = True
    elif request.method == "POST" and form.is_valid():
        try:
            services.submit(
                user=request.user,
                application=application,
                sms_code=form.cleaned_data["code"],
                client_ip=_source(request),
            )
        except ServiceError as exc:
            # only a refused code can be the second tap of a double tap (the first used it)
            if exc.code == "code_wrong" and _sent_by_an_earlier_tap(
                request, application, form.cleaned_data["code"]
            ):
                request.session.pop(SESSION_CONFIRM, None)
                return redirect("kiosk:receipt", application.pk)
            add_service_errors(form, exc)
        else:
            request.session.pop(SESSION_CONFIRM, None)
            return redirect("kiosk:receipt", application.pk)
    return render(
        request,
        "kiosk/renew_confirm.html",
        {
            "application": application,
            "summary": selectors.application_summary(application),
            "rows": selectors.material_rows(application),
            "form": form,
            "code_sent": code_sent,
            "masked_phone": mask_phone(request.user.phone),
        },
    )


# A double tap sends the form twice: the second request finds the code used by the first, which
# may still be at work. It waits for the first to finish (the person sees the receipt, not "wrong
# code"), up to this long.
DOUBLE_TAP_WAIT_SECONDS = 10


def _sent_by_an_earlier_tap(request, application, code) -> bool:
    """Whether the application was sent by an earlier request with this same code (the first of
    a double tap), waiting for that request to commit if it is still at work."""
    application.refresh_from_db(fields=["state"])
    if application.state != ApplicationState.DRAFT:
        return True
    if not code_just_used(
        phone=request.user.phone, purpose=PhoneCodePurpose.CONFIRM_SUBMIT, code=code
    ):
        return False
    deadline = time.monotonic() + DOUBLE_TAP_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.2)
        application.refresh_from_db(fields=["state"])
        if application.state != ApplicationState.DRAFT:
            return True
    return False


@require_GET
@signed_in
def receipt(request, pk):
    """The printable acknowledgement of a submission (the station's notice of acceptance follows
    when an officer accepts it; it is printed from the application's status page)."""
    application = _own_application(request, pk)
    if application.state == ApplicationState.DRAFT:
        return redirect("kiosk:renew_materials", application.pk)
    return render(
        request,
        "kiosk/receipt.html",
        {
            "application": application,
            "summary": selectors.application_summary(application),
            "device": request.kiosk_device,
            "authority": settings.ISSUING_AUTHORITY,
            # Scanned with the person's own phone: the application's page on the portal.
            "qr": mark_safe(  # noqa: S308 (an SVG made here from a URL)
                qr_svg(
                    request.build_absolute_uri(
                        reverse("permits:application_detail", args=[application.pk])
                    )
                )
            ),
        },
    )


@require_GET
@signed_in
def applications(request):
    return render(
        request,
        "kiosk/applications.html",
        {"applications": selectors.status_rows(request.user)},
    )


@require_GET
@signed_in
def application(request, pk):
    application = _own_application(request, pk)
    return render(
        request,
        "kiosk/application.html",
        {
            "application": application,
            "summary": selectors.application_summary(application),
            "timeline": services.timeline(application),
            "documents": list(documents_of(request.user).filter(application=application)),
        },
    )


@require_GET
@signed_in
def document(request, pk):
    """A paper of the person's own case, shown in a kiosk page to print from (its print dialog
    is the kiosk's): never the browser's own PDF view, which has no idle timer and would leave
    the paper on the screen after the session ended (issue 27, point 1)."""
    # a paper of a case (its page is the way back); a residence certificate is not printed here
    document = get_object_or_404(
        documents_of(request.user).filter(application__isnull=False), pk=pk
    )
    return render(
        request,
        "kiosk/document.html",
        {
            "document": document,
            "title": document_title(document),
            "paper": mark_safe(render_html_body(document)),  # noqa: S308 (escaped by its template)
        },
    )
