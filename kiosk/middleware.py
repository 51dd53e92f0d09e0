"""Every page under ``/kiosk/``: refused without a live device, never cached, in the kiosk's own
language (Chinese until the person picks English; a new session starts in Chinese again), and
signed out after ``KIOSK_IDLE_SECONDS`` without a touch. A kiosk session never leaves the kiosk.

Placed after AuthenticationMiddleware and MessageMiddleware (and after LocaleMiddleware, whose
choice it overrides on kiosk pages)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import add_never_cache_headers

from .services.devices import active_device

PREFIX = "/kiosk/"
DEVICE_COOKIE = "kiosk_device"
SESSION_DEVICE = "kiosk_device_id"  # the device a person signed in at
SESSION_TOUCH = "kiosk_touched_at"  # the last request of this kiosk session (seconds)
SESSION_LANGUAGE = "kiosk_language"
# Paths a screen reaches before it is set up: the set-up page itself.
OPEN_PATHS = ("/kiosk/setup/",)
# A request in flight when the idle time runs out still counts (the page's own timer signs out).
GRACE_SECONDS = 5


def idle_seconds() -> int:
    return int(getattr(settings, "KIOSK_IDLE_SECONDS", 60))


def is_kiosk_session(request) -> bool:
    return SESSION_TOUCH in request.session


def end_kiosk_session(request) -> None:
    """Sign out and drop every trace of the person from the session (logout flushes it)."""
    logout(request)


def forget_person(response):
    """The browser keeps nothing of the person who leaves: its cache and storage for the site
    are cleared and the CSRF cookie goes with the session's (the device token stays: it is the
    machine's). For a sign-out and for a session the server ended after the idle time."""
    response["Clear-Site-Data"] = '"cache", "storage"'
    response.delete_cookie(settings.CSRF_COOKIE_NAME, samesite=settings.CSRF_COOKIE_SAMESITE)
    return response


def kiosk_language(request) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    chosen = request.session.get(SESSION_LANGUAGE)
    return chosen if chosen in codes else settings.LANGUAGE_CODE


class KioskMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIX):
            if is_kiosk_session(request):
                # A kiosk session is for kiosk pages only (a typed address, a link in a
                # document): it ends here, and the screen goes back to the kiosk.
                end_kiosk_session(request)
                return redirect(reverse("kiosk:home"))
            return self.get_response(request)

        language = kiosk_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self._kiosk(request)
        add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        response["Pragma"] = "no-cache"
        response.headers.setdefault("Content-Language", language)
        return response

    def _kiosk(self, request):
        request.kiosk_idle_seconds = idle_seconds()
        request.kiosk_device = device = active_device(request.COOKIES.get(DEVICE_COOKIE))
        if device is None:
            if is_kiosk_session(request):  # the device was revoked under a signed-in person
                end_kiosk_session(request)
            if request.path in OPEN_PATHS:
                return self.get_response(request)
            return render(request, "kiosk/not_enabled.html", status=403)

        user = request.user
        now = int(time.time())
        touched = request.session.get(SESSION_TOUCH)
        if user.is_authenticated and (
            user.is_staff or request.session.get(SESSION_DEVICE) != device.pk
        ):
            # Someone signed in elsewhere in this browser (staff setting the screen up), or at
            # another device: not a kiosk session of this device.
            end_kiosk_session(request)
            return redirect(reverse("kiosk:home"))
        if isinstance(touched, int | float) and now - touched > idle_seconds() + GRACE_SECONDS:
            end_kiosk_session(request)
            return forget_person(redirect(reverse("kiosk:home") + "?timeout=1"))
        response = self.get_response(request)
        if request.user.is_authenticated or not request.session.is_empty():
            # Anything of a person in the session (signed in, a number typed, a language picked)
            # lives only as long as the screen is touched; the server-side session ends too,
            # even if the screen kept its cookie. An untouched start screen stores nothing.
            request.session[SESSION_TOUCH] = now
            request.session.set_expiry(idle_seconds() + GRACE_SECONDS)
        return response
