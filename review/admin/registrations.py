"""The station's review of residence registrations, a review desk
(``review.desks.registrations``). Station-scoped (``StationScopedAdminMixin``): officers and
clerks see their station's rows only, supervisors all; another station's row answers 404."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.errors import ServiceError
from core.masking import mask_name
from permits.admin.mixins import StationScopedAdminMixin
from permits.constants import RegistrationState
from permits.models import ResidenceRegistration
from permits.selectors import lessors as lessor_selectors
from permits.services import registrations as registration_services

from ..desks.admin import DeskAdminMixin
from ..desks.registrations import REGISTRATION_DESK


@admin.register(ResidenceRegistration)
class ResidenceRegistrationAdmin(DeskAdminMixin, StationScopedAdminMixin, admin.ModelAdmin):
    """The station's queue of residence registrations. Read-only; the decision buttons and
    the "register selected" action call the services."""

    desk = REGISTRATION_DESK
    desk_select_related = ("person", "house", "station")

    change_form_template = "review/registration_change_form.html"
    list_display = [
        "masked_person",
        "masked_id_number",
        "house_address",
        "station",
        "basis",
        "since",
        "state",
        "created_at",
    ]
    list_filter = ["state", "basis", "station"]
    list_select_related = ["person", "house", "station"]
    ordering = ["created_at", "pk"]
    list_per_page = 50
    show_full_result_count = False
    actions = ["register_selected"]
    fields = [
        "person_name",
        "masked_id_number",
        "person_identity",
        "house",
        "station",
        "since",
        "basis",
        "proof_link",
        "lessor_confirmation",
        "state",
        "registered_at",
        "rejection_note",
        "cancelled_on",
        "created_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("person"))
    def masked_person(self, obj):
        return mask_name(obj.person.full_name)

    @admin.display(description=_("resident ID number"))
    def masked_id_number(self, obj):
        return obj.person.masked_id_number

    @admin.display(description=_("full name"))
    def person_name(self, obj):
        return obj.person.full_name

    @admin.display(description=_("identity"))
    def person_identity(self, obj):
        person = obj.person
        text = f"{person.get_state_display()} · {person.get_sex_display()} · {person.birth_date}"
        if person.is_dependent:
            text += f" · {person.get_relationship_display()} ({person.get_agent_reason_display()})"
        return text

    @admin.display(description=_("address"), ordering="house__address")
    def house_address(self, obj):
        return obj.house.address

    @staticmethod
    def _latest_confirmation(obj):
        """The lessor's latest confirmation, read once for the page's two fields."""
        if not hasattr(obj, "_latest_lessor_confirmation"):
            obj._latest_lessor_confirmation = lessor_selectors.latest_for(obj)
        return obj._latest_lessor_confirmation

    @admin.display(description=_("lessor's confirmation"))
    def lessor_confirmation(self, obj):
        """Issue 31: who confirmed the address, and when (the lease's stand-in)."""
        return lessor_selectors.describe(self._latest_confirmation(obj)) or "-"

    @admin.display(description=_("proof document"))
    def proof_link(self, obj):
        if not obj.proof and self._latest_confirmation(obj) is not None:
            return gettext("None: the lessor's confirmation stands for it")
        if not obj.proof:
            return gettext("Deleted after the retention period")
        url = reverse("permits:registration_proof", args=[obj.pk])
        if obj.proof.name.lower().endswith(".pdf"):
            return format_html(
                '<a href="{}" target="_blank" rel="noopener">{} (PDF)</a>',
                url,
                gettext("Open the proof document"),
            )
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">'
            '<img src="{}" alt="{}" class="review-photo">'
            "</a>",
            url,
            url,
            gettext("Open the proof document"),
        )

    # --- decisions --------------------------------------------------------------------------
    @admin.action(description=_("Register the selected residence registrations"))
    def register_selected(self, request, queryset):
        done, refused = 0, 0
        for registration in queryset.filter(state=RegistrationState.SUBMITTED)[:100]:
            try:
                registration_services.register_residence(registration=registration, by=request.user)
            except (ServiceError, ValidationError, PermissionDenied):
                refused += 1
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(n)d registration registered.", "%(n)d registrations registered.", done)
                % {"n": done},
            )
        if refused:
            self.message_user(
                request,
                ngettext(
                    "%(n)d registration could not be registered.",
                    "%(n)d registrations could not be registered.",
                    refused,
                )
                % {"n": refused},
                messages.WARNING,
            )

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("permits.review_registration"):
            actions.pop("register_selected", None)
        return actions
