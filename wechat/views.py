"""WeChat pages: the OAuth sign-in (snsapi_base), the first-time phone proof that binds the
account, unbinding and the channel preference (personal center), and the server endpoint.

Thin: services act. Every page answers 404 while the channel is off (no WECHAT_APP_ID)."""

from __future__ import annotations

import functools
import secrets

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applicants.constants import PhoneCodePurpose
from applicants.services import request_phone_code, sign_in_with_code
from core.errors import ServiceError, add_service_errors
from core.http import client_ip
from core.phones import mask_phone

from . import client, services
from . import server as server_endpoint
from .forms import BindCodeForm, BindPhoneForm, NotifyByForm

SESSION_OAUTH = "wechat_oauth"  # {"state", "next"} of the sign-in under way
SESSION_OPENID = "wechat_pending_openid"  # an openid proved by WeChat, waiting for the phone
SESSION_PHONE = "wechat_bind_phone"
BACKEND = "django.contrib.auth.backends.ModelBackend"


def channel_on(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not client.enabled():
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _safe_next(request, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("applicants:me")


def _refused(request, message, status=403):
    return render(request, "wechat/refused.html", {"message": message}, status=status)


@require_GET
@channel_on
def sign_in(request):
    """Start WeChat's web authorisation; signed in already, go straight on (one tap)."""
    target = _safe_next(request, request.GET.get("next"))
    if request.user.is_authenticated and hasattr(request.user, "wechat_binding"):
        return redirect(target)
    state = secrets.token_urlsafe(24)
    request.session[SESSION_OAUTH] = {"state": state, "next": target}
    oauth = client.PortalOAuth(
        redirect_uri=request.build_absolute_uri(reverse("wechat:callback")), state=state
    )
    return redirect(oauth.authorize_url)


@require_GET
@channel_on
def callback(request):
    """WeChat sends the person back with ``code`` and our ``state``: the state must be the one
    this session started with (no login CSRF), and each code works once."""
    started = request.session.pop(SESSION_OAUTH, None) or {}
    state = request.GET.get("state", "")
    if not started.get("state") or not constant_time_compare(state, started["state"]):
        return _refused(request, _("This sign-in link is not valid. Start again."), status=400)
    try:
        openid = services.exchange_code(
            code=request.GET.get("code", ""),
            redirect_uri=request.build_absolute_uri(reverse("wechat:callback")),
        )
        user = services.sign_in_by_openid(openid=openid, current_user=request.user)
        if user is None and request.user.is_authenticated:
            services.bind(user=request.user, openid=openid)
            messages.success(request, _("Your WeChat is bound to this account."))
            return redirect(started["next"])
    except ServiceError as exc:
        return _refused(request, str(exc))
    if user is not None:
        if request.user != user:
            login(request, user, backend=BACKEND)
        return redirect(started["next"])
    request.session[SESSION_OPENID] = openid
    request.session["wechat_next"] = started["next"]
    return redirect("wechat:bind")


def _pending(request):
    return request.session.get(SESSION_OPENID)


@require_http_methods(["GET", "POST"])
@channel_on
def bind_phone(request):
    """First time: the person proves their phone with the usual SMS code."""
    if not _pending(request):
        return redirect("wechat:sign_in")
    form = BindPhoneForm(
        request.POST or None, initial={"phone": request.session.get(SESSION_PHONE)}
    )
    if request.method == "POST" and form.is_valid():
        phone = form.cleaned_data["phone"]
        try:
            request_phone_code(
                phone=phone, purpose=PhoneCodePurpose.SIGN_IN, client_ip=client_ip(request)
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            request.session[SESSION_PHONE] = phone
            return redirect("wechat:bind_code")
    return render(request, "wechat/bind_phone.html", {"form": form})


@require_http_methods(["GET", "POST"])
@channel_on
def bind_code(request):
    openid, phone = _pending(request), request.session.get(SESSION_PHONE)
    if not openid or not phone:
        return redirect("wechat:bind")
    form = BindCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = sign_in_with_code(
                phone=phone, code=form.cleaned_data["code"], client_ip=client_ip(request)
            )
            services.bind(user=user, openid=openid)
        except ServiceError as exc:
            add_service_errors(form, exc)
        else:
            target = request.session.pop("wechat_next", None) or reverse("applicants:me")
            login(request, user, backend=BACKEND)
            for key in (SESSION_OPENID, SESSION_PHONE):
                request.session.pop(key, None)
            messages.success(request, _("Your WeChat is bound to this account."))
            return redirect(target)
    return render(
        request, "wechat/bind_code.html", {"form": form, "masked_phone": mask_phone(phone)}
    )


@require_POST
@login_required
def unbind(request):
    if services.unbind(user=request.user):
        messages.success(request, _("WeChat is no longer bound. Results come by SMS."))
    return redirect("applicants:me")


@require_POST
@login_required
def notify_by(request):
    form = NotifyByForm(request.POST)
    if form.is_valid():
        try:
            services.set_notify_by(user=request.user, notify_by=form.cleaned_data["notify_by"])
        except ServiceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Saved: how results reach you."))
    return redirect("applicants:me")


@csrf_exempt
@require_http_methods(["GET", "POST"])
@channel_on
def server(request):
    """The URL WeChat calls (the account's server configuration)."""
    try:
        reply = server_endpoint.handle(request)
    except server_endpoint.BadSignature:
        return HttpResponseBadRequest("bad signature")
    return HttpResponse(
        reply, content_type="application/xml" if request.method == "POST" else "text/plain"
    )
