"""Applicant pages: sign-up, password reset and change, personal center, identity, dependents.

Thin: forms validate, services act. A wrong person gets 404.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView

from core import pending_uploads
from core.api.auth import revoke_device, signed_in_devices
from core.errors import ServiceError, add_service_errors
from core.http import client_ip
from core.outages import RETRY_AFTER_SECONDS
from core.page_cache import person_page
from core.personal_center import sections_for
from core.unreachable import cache_unreachable
from core.uploads import protected_file_response

from . import services
from .constants import IdentityState, PhoneCodePurpose
from .forms import (
    CountedPasswordChangeForm,
    DependentForm,
    IdentityForm,
    PasswordResetConfirmForm,
    PhoneCodeRequestForm,
    PhoneLoginForm,
    SignUpForm,
)
from .models import Identity
from .selectors import identities_of

SENT_MESSAGE = (
    "If this number can be used for this, a 6-digit code is on its way by SMS. "
    "It is valid for 10 minutes."
)

CODES_UNAVAILABLE_MESSAGE = (
    "Codes cannot be sent just now: part of the service is briefly unavailable. "
    "No SMS was sent and nothing was saved. Try again in a minute."
)


class _CodeRequestView(FormView):
    """Step 1 of sign-up and of password reset: ask for a code. Same answer for every number."""

    form_class = PhoneCodeRequestForm
    purpose = ""
    session_key = ""
    next_url = ""

    def get_initial(self):
        return {"phone": self.request.session.get(self.session_key, "")}

    def form_valid(self, form):
        phone = form.cleaned_data["phone"]
        try:
            services.request_phone_code(
                phone=phone, purpose=self.purpose, client_ip=client_ip(self.request)
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        except Exception as exc:
            if not cache_unreachable(exc):
                raise
            # The code limits live in Redis and fail closed (as the API's 503): say so in words,
            # keeping the number typed (issue 30).
            form.add_error(None, _(CODES_UNAVAILABLE_MESSAGE))
            response = self.form_invalid(form)
            response.status_code = 503
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        self.request.session[self.session_key] = phone
        messages.info(self.request, _(SENT_MESSAGE))
        return redirect(self.next_url)


class SignUpView(_CodeRequestView):
    template_name = "applicants/signup.html"
    purpose = PhoneCodePurpose.SIGN_UP
    session_key = "signup_phone"
    next_url = "applicants:signup_confirm"


class SignUpConfirmView(FormView):
    template_name = "applicants/signup_confirm.html"
    form_class = SignUpForm

    def get_initial(self):
        return {"phone": self.request.session.get("signup_phone", "")}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            user = services.sign_up(
                phone=data["phone"],
                code=data["code"],
                password=data["password1"],
                display_name=data.get("display_name", ""),
                client_ip=client_ip(self.request),
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        self.request.session.pop("signup_phone", None)
        login(self.request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            self.request, _("Your account is ready. Next, verify your identity (实名认证).")
        )
        return redirect("applicants:identity")


class PasswordResetView(_CodeRequestView):
    template_name = "applicants/password_reset.html"
    purpose = PhoneCodePurpose.RESET_PASSWORD
    session_key = "reset_phone"
    next_url = "applicants:password_reset_confirm"


class PasswordResetConfirmView(FormView):
    template_name = "applicants/password_reset_confirm.html"
    form_class = PasswordResetConfirmForm

    def get_initial(self):
        return {"phone": self.request.session.get("reset_phone", "")}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.reset_password(
                phone=data["phone"],
                code=data["code"],
                new_password=data["password1"],
                client_ip=client_ip(self.request),
            )
        except ServiceError as exc:
            add_service_errors(form, exc)
            return self.form_invalid(form)
        self.request.session.pop("reset_phone", None)
        messages.success(self.request, _("Your password is changed. Log in with the new one."))
        return redirect("login")


class LoginView(auth_views.LoginView):
    """Phone + password. Without ``next``, applicants land in their personal center and staff
    in the review admin."""

    template_name = "applicants/login.html"
    authentication_form = PhoneLoginForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        if self.request.user.is_staff:
            return reverse("admin:index")
        return reverse("applicants:me")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "applicants/password_change.html"
    success_url = reverse_lazy("applicants:me")
    form_class = CountedPasswordChangeForm  # the current password counted like a login

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is changed."))
        return response


class PersonalCenterView(LoginRequiredMixin, TemplateView):
    """个人中心: identity, dependents, then the sections other apps add (registrations,
    permits, applications), each item with its next step."""

    template_name = "applicants/me.html"

    @method_decorator(person_page)  # cached under the account's page generation
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        # the own identity and the dependents in one query (issue 18)
        context["identity"], context["dependents"] = identities_of(user)
        # each rendered in the page's context by {% section_html %}
        context["sections"] = sections_for(self.request)
        context["devices"] = list(signed_in_devices(user)[:20])
        return context


class SignedInDeviceRevokeView(LoginRequiredMixin, View):
    """Sign one device (an app's API token) out, from the personal center's device list."""

    http_method_names = ["post"]

    def post(self, request, pk):
        if not revoke_device(request.user, pk):
            raise Http404
        messages.success(request, _("That device is signed out."))
        return redirect(reverse("applicants:me") + "#devices-title")


IDENTITY_FORM = "identity"
DEPENDENT_FORM = "dependent"
FILE_FIELDS = ("id_card_front", "id_card_back", "face_photo", "agent_proof")


def _keeping(request, form_key, form):
    """A refused form keeps the files that passed their own checks (issue 15, point 9)."""
    pending_uploads.mark_kept(form, pending_uploads.keep(request, form_key, form, FILE_FIELDS))
    return form


class IdentityView(LoginRequiredMixin, View):
    """File, or correct and resubmit, one's own identity; otherwise show its status."""

    template_name = "applicants/identity.html"

    def _render(self, request, identity, form=None):
        editable = identity is None or identity.state in (
            IdentityState.UNVERIFIED,
            IdentityState.REJECTED,
        )
        if editable and form is None:
            initial = {}
            if identity is not None:
                initial = {"full_name": identity.full_name, "id_number": identity.id_number}
            form = IdentityForm(initial=initial, existing=identity)
            pending_uploads.mark_kept(form, pending_uploads.kept(request, IDENTITY_FORM))
        return render(
            request,
            self.template_name,
            {"identity": identity, "form": form if editable else None},
        )

    def get(self, request):
        return self._render(request, request.user.own_identity)

    def post(self, request):
        identity = request.user.own_identity
        files = pending_uploads.restore(request, IDENTITY_FORM, request.FILES)
        form = IdentityForm(request.POST, files, existing=identity)
        if not form.is_valid():
            return self._render(request, identity, _keeping(request, IDENTITY_FORM, form))
        try:
            services.submit_own_identity(account=request.user, **form.cleaned_data)
        except ServiceError as exc:
            add_service_errors(form, exc)
            return self._render(
                request, request.user.own_identity, _keeping(request, IDENTITY_FORM, form)
            )
        pending_uploads.clear(request, IDENTITY_FORM)
        messages.success(
            request,
            _("Submitted. An officer checks it, usually within an hour; you get an SMS."),
        )
        return redirect("applicants:me")


class DependentCreateView(LoginRequiredMixin, View):
    template_name = "applicants/dependent_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": DependentForm(), "identity": None})

    def post(self, request):
        files = pending_uploads.restore(request, DEPENDENT_FORM, request.FILES)
        form = DependentForm(request.POST, files)
        if form.is_valid():
            try:
                services.add_dependent(account=request.user, **form.cleaned_data)
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                pending_uploads.clear(request, DEPENDENT_FORM)
                messages.success(request, _("Submitted. An officer checks this identity."))
                return redirect("applicants:me")
        form = _keeping(request, DEPENDENT_FORM, form)
        return render(request, self.template_name, {"form": form, "identity": None})


def _own_dependent(request, pk) -> Identity:
    identity = get_object_or_404(Identity, pk=pk, account=request.user)
    if not identity.is_dependent:
        raise Http404
    return identity


class DependentDetailView(LoginRequiredMixin, View):
    """A dependent's identity: its status, and the form to correct it after a rejection."""

    template_name = "applicants/dependent_form.html"

    def _form(self, identity, data=None, files=None):
        if identity.state not in (IdentityState.UNVERIFIED, IdentityState.REJECTED):
            return None
        initial = {
            "full_name": identity.full_name,
            "id_number": identity.id_number,
            "relationship": identity.relationship,
            "agent_reason": identity.agent_reason,
        }
        return DependentForm(data, files, initial=initial, existing=identity)

    def get(self, request, pk):
        identity = _own_dependent(request, pk)
        return render(
            request, self.template_name, {"form": self._form(identity), "identity": identity}
        )

    def post(self, request, pk):
        identity = _own_dependent(request, pk)
        form = self._form(identity, request.POST, request.FILES)
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.resubmit_dependent(
                    identity=identity, account=request.user, **form.cleaned_data
                )
            except ServiceError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Submitted again. An officer checks it."))
                return redirect("applicants:me")
        identity.refresh_from_db()
        return render(request, self.template_name, {"form": form, "identity": identity})


# What may be fetched through the file view: URL word -> model field. Never the ID number.
IDENTITY_FILES = {
    "front": "id_card_front",
    "back": "id_card_back",
    "face": "face_photo",
    "proof": "agent_proof",
}


def can_view_identity_files(user, identity: Identity) -> bool:
    """The account that filed it, or staff allowed to see identities (verification is
    city-wide, so any officer or supervisor)."""
    if not (user.is_authenticated and user.is_active):
        return False
    if identity.account_id == user.pk:
        return True
    return user.is_staff and user.has_perm("applicants.view_identity")


@login_required
def identity_file(request, pk: int, kind: str):
    field = IDENTITY_FILES.get(kind)
    if field is None:
        raise Http404
    identity = get_object_or_404(Identity, pk=pk)
    if not can_view_identity_files(request.user, identity):
        raise Http404
    return protected_file_response(getattr(identity, field), download_name=f"{kind}")


def identity_file_url(identity: Identity, kind: str) -> str:
    return reverse("applicants:identity_file", args=[identity.pk, kind])
