"""Identity verification (实名认证), a review desk (``review.desks.identities``)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applicants.models import Identity
from core.masking import mask_name

from ..desks.admin import DeskAdminMixin
from ..desks.identities import IDENTITY_DESK, PHOTOS


@admin.register(Identity)
class IdentityAdmin(DeskAdminMixin, admin.ModelAdmin):
    """Identity verification (实名认证) is city-wide: any officer or supervisor with the
    ``applicants.verify_identity`` permission decides any pending identity. Lists show masked
    names and ID numbers; the full number is on the detail page only. Decisions go through
    ``applicants.services`` (the desk's buttons on the detail page)."""

    desk = IDENTITY_DESK

    change_form_template = "review/identity_change_form.html"
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
        from applicants.id_numbers import age_on

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
                    '<img src="{}" alt="" class="review-photo">',
                    url,
                )
            figures.append(
                format_html(
                    '<figure class="review-photo">'
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
