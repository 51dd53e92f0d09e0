from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.masking import mask_name

from . import services
from .constants import IdentityState
from .forms import IdentityRejectForm
from .models import Identity, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["-date_joined"]
    list_display = ["masked_phone", "display_name", "is_staff", "is_active", "date_joined"]
    list_filter = ["is_staff", "is_active", "groups"]
    search_fields = ["phone", "display_name"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["phone", "password", "display_name", "language"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["phone", "password1", "password2"]}),
    ]

    @admin.display(description=_("mobile phone"), ordering="phone")
    def masked_phone(self, obj):
        return obj.masked_phone

    # --- who sees accounts (issue 11) -------------------------------------------------------
    # Officers and clerks meet accounts only through the identities and applications they
    # review; the account pages (phone, last login, groups) and the account search are for
    # supervisors (and superusers). The admin autocomplete, used to assign staff to a station,
    # answers staff accounts only.

    def _sees_accounts(self, request) -> bool:
        """Supervisors and superusers: only their role holds ``applicants.view_user``."""
        return request.user.has_perm("applicants.view_user")

    def has_module_permission(self, request):
        return super().has_module_permission(request) and self._sees_accounts(request)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._sees_accounts(request)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._sees_accounts(request)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and self._sees_accounts(request)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._sees_accounts(request)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not self._sees_accounts(request):
            return queryset.none()
        return queryset

    def history_view(self, request, object_id, extra_context=None):
        # Django looks the object up before checking permissions; refuse first so that the
        # answer does not depend on whether the account exists.
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return super().history_view(request, object_id, extra_context)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if self._is_autocomplete(request):
            queryset = queryset.filter(is_staff=True)
        return queryset, may_have_duplicates

    def _is_autocomplete(self, request) -> bool:
        match = getattr(request, "resolver_match", None)
        return (
            match is not None
            and match.url_name == "autocomplete"
            and self.admin_site.name in match.namespaces
        )


PHOTOS = [
    ("front", "id_card_front", _("ID card front")),
    ("back", "id_card_back", _("ID card back")),
    ("face", "face_photo", _("face photo")),
    ("proof", "agent_proof", _("proof of the agent relationship")),
]


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    """Identity verification (实名认证) is city-wide: any officer or supervisor with the
    ``applicants.verify_identity`` permission decides any pending identity. Lists show masked
    names and ID numbers; the full number is on the detail page only. Decisions go through
    ``applicants.services`` (buttons on the detail page)."""

    change_form_template = "admin/applicants/identity/change_form.html"
    list_display = [
        "masked_full_name",
        "masked_id_number",
        "relationship",
        "agent_reason",
        "account_phone",
        "state",
        "submitted_at",
    ]
    list_filter = ["state", "relationship", "agent_reason"]
    list_select_related = ["account"]
    ordering = ["submitted_at", "pk"]
    list_per_page = 50
    show_full_result_count = False
    fieldsets = [
        (
            _("Typed data"),
            {
                "fields": [
                    "full_name",
                    "id_number",
                    "birth_date",
                    "age_and_sex",
                    "relationship",
                    "agent_reason",
                    "account_phone",
                    "agent_identity",
                ]
            },
        ),
        (_("Photos"), {"fields": ["photos"]}),
        (
            _("Decision"),
            {
                "fields": [
                    "state",
                    "submitted_at",
                    "rejection_reason",
                    "rejection_note",
                    "decided_at",
                    "decided_by",
                    "history",
                ]
            },
        ),
    ]
    readonly_fields = [
        "full_name",
        "id_number",
        "birth_date",
        "age_and_sex",
        "relationship",
        "agent_reason",
        "account_phone",
        "agent_identity",
        "photos",
        "state",
        "submitted_at",
        "rejection_reason",
        "rejection_note",
        "decided_at",
        "decided_by",
        "history",
    ]

    def has_add_permission(self, request):
        return False  # applicants file identities; staff never type them in

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # read-only; decisions use the buttons (services)

    @admin.display(description=_("full name"), ordering="full_name")
    def masked_full_name(self, obj):
        return mask_name(obj.full_name)

    @admin.display(description=_("resident ID number"))
    def masked_id_number(self, obj):
        return obj.masked_id_number

    @admin.display(description=_("account"))
    def account_phone(self, obj):
        return obj.account.masked_phone

    @admin.display(description=_("agent's own identity"))
    def agent_identity(self, obj):
        """For a dependent: the identity of the account acting for them (both are needed)."""
        if not obj.is_dependent:
            return "-"
        own = obj.account.own_identity
        if own is None:
            return gettext("The agent has no identity on file.")
        return format_html(
            '<a href="{}">{} {}</a> ({})',
            reverse("admin:applicants_identity_change", args=[own.pk]),
            own.full_name,
            own.masked_id_number,
            own.get_state_display(),
        )

    @admin.display(description=_("age and sex"))
    def age_and_sex(self, obj):
        from .id_numbers import age_on

        return f"{age_on(obj.birth_date)} · {obj.get_sex_display()}"

    @admin.display(description=_("photos"))
    def photos(self, obj):
        figures = []
        for kind, field, label in PHOTOS:
            stored = getattr(obj, field)
            if not stored:
                continue
            url = reverse("applicants:identity_file", args=[obj.pk, kind])
            if stored.name.lower().endswith(".pdf"):
                inner = format_html("{} (PDF)", gettext("Open the document"))
            else:
                inner = format_html(
                    '<img src="{}" alt="" '
                    'style="max-width:320px;max-height:240px;border:1px solid #ccc">',
                    url,
                )
            figures.append(
                format_html(
                    '<figure style="display:inline-block;margin:0 1em 1em 0;vertical-align:top">'
                    '<figcaption>{}</figcaption><a href="{}" target="_blank" rel="noopener">{}</a>'
                    "</figure>",
                    label,
                    url,
                    inner,
                )
            )
        if not figures:
            return gettext("No photos.")
        return format_html_join("", "{}", ((figure,) for figure in figures))

    @admin.display(description=_("history"))
    def history(self, obj):
        rows = obj.transitions.select_related("actor").order_by("created_at", "pk")[:50]
        if not rows:
            return "-"
        return format_html(
            "<table><tbody>{}</tbody></table>",
            format_html_join(
                "",
                "<tr><td>{}</td><td>{} → {}</td><td>{}</td><td>{}</td></tr>",
                (
                    (
                        f"{row.created_at:%Y-%m-%d %H:%M}",
                        row.from_state,
                        row.to_state,
                        row.actor or gettext("system"),
                        row.note,
                    )
                    for row in rows
                ),
            ),
        )

    # --- decision buttons -------------------------------------------------------------------
    def get_urls(self):
        urls = super().get_urls()
        return [
            path(
                "<path:object_id>/verify/",
                self.admin_site.admin_view(self.verify_view),
                name="applicants_identity_verify",
            ),
            path(
                "<path:object_id>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name="applicants_identity_reject",
            ),
        ] + urls

    def _decision_target(self, request, object_id):
        if request.method != "POST":
            return None, HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("applicants.verify_identity"):
            raise PermissionDenied
        identity = get_object_or_404(self.get_queryset(request), pk=object_id)
        return identity, None

    def _back(self, identity):
        return HttpResponseRedirect(reverse("admin:applicants_identity_change", args=[identity.pk]))

    def verify_view(self, request, object_id):
        identity, refused = self._decision_target(request, object_id)
        if refused:
            return refused
        try:
            services.verify_identity(
                identity=identity, by=request.user, note=request.POST.get("note", "")
            )
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, gettext("Identity verified; the applicant is notified."))
        return self._back(identity)

    def reject_view(self, request, object_id):
        identity, refused = self._decision_target(request, object_id)
        if refused:
            return refused
        form = IdentityRejectForm(request.POST)
        if not form.is_valid():
            self.message_user(request, gettext("Choose a reason."), messages.ERROR)
            return self._back(identity)
        try:
            services.reject_identity(
                identity=identity,
                by=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, gettext("Identity rejected; the applicant is notified."))
        return self._back(identity)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        identity = self.get_object(request, object_id)
        extra_context["can_decide"] = (
            identity is not None
            and identity.state == IdentityState.PENDING
            and request.user.has_perm("applicants.verify_identity")
            and identity.account_id != request.user.pk  # never one's own
        )
        extra_context["reject_form"] = IdentityRejectForm()
        return super().change_view(request, object_id, form_url, extra_context)
