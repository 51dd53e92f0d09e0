"""Admin for stations, houses (with the printable house-code QR), staff assignments and the
station's review of residence registrations.

Houses, staff assignments and registrations are station-scoped (``StationScopedAdminMixin``):
officers and clerks see their station's rows only, supervisors all; another station's row
answers 404. Registration decisions go through ``permits.services.registrations``.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.masking import mask_name
from core.qr import qr_svg
from permits.admin.mixins import StationScopedAdminMixin
from permits.constants import RegistrationState
from permits.forms.registrations import ReviewRegistrationForm
from permits.models import House, ResidenceRegistration, StaffAssignment, Station
from permits.scoping import is_supervisor, scope_to_station, station_id_of
from permits.services import registrations as registration_services


class HouseInline(admin.TabularInline):
    """Scoped like ``HouseAdmin``: another station's houses never show through the inline."""

    model = House
    extra = 0
    fields = ["code", "address", "district"]
    show_change_link = True
    verbose_name_plural = _("jurisdiction: the houses this station covers")

    def get_queryset(self, request):
        return scope_to_station(super().get_queryset(request), request.user)


@admin.register(Station)
class StationAdmin(StationScopedAdminMixin, admin.ModelAdmin):
    """Officers and clerks see their own station only (another station's page answers 404,
    like its houses); supervisors all stations."""

    list_display = ["name", "code", "phone", "window_hours", "offers_mail", "house_count"]
    search_fields = ["name", "code", "address"]
    inlines = [HouseInline]

    def get_queryset(self, request):
        from django.db.models import Count

        # The mixin's scoping follows a foreign key to the station; here the row is the
        # station itself, so scope on its primary key (skipping the mixin's get_queryset).
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if not is_supervisor(request.user):
            station_id = station_id_of(request.user) if request.user.is_staff else None
            queryset = queryset.filter(pk=station_id) if station_id else queryset.none()
        return queryset.annotate(_house_count=Count("houses"))

    @admin.display(description=_("houses"), ordering="_house_count")
    def house_count(self, obj):
        return obj._house_count


def house_qr_svg(house: House) -> bytes:
    payload = registration_services.house_qr_payload(house)
    return qr_svg(payload, scale=8, border=4, standalone=True).encode()


@admin.register(House)
class HouseAdmin(StationScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "address", "district", "station", "qr_link"]
    list_filter = ["station"]
    list_select_related = ["station"]
    search_fields = ["code", "address"]
    readonly_fields = ["qr_code"]
    fields = ["code", "address", "district", "station", "qr_code"]

    @admin.display(description=_("QR code"))
    def qr_link(self, obj):
        url = reverse("admin:permits_house_print", args=[obj.pk])
        return format_html('<a href="{}" target="_blank">{}</a>', url, gettext("Print"))

    @admin.display(description=_("QR code"))
    def qr_code(self, obj):
        if obj is None or not obj.pk:
            return gettext("Saved houses get their QR code.")
        svg = reverse("admin:permits_house_qr", args=[obj.pk])
        page = reverse("admin:permits_house_print", args=[obj.pk])
        return format_html(
            '<img src="{}" alt="{}" width="200" height="200"><br>'
            '<a href="{}" target="_blank">{}</a> · <a href="{}" download="{}.svg">{}</a>',
            svg,
            obj.code,
            page,
            gettext("Print the door label"),
            svg,
            obj.code,
            gettext("Download SVG"),
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/qr.svg",
                self.admin_site.admin_view(self.qr_view),
                name="permits_house_qr",
            ),
            path(
                "<path:object_id>/print/",
                self.admin_site.admin_view(self.print_view),
                name="permits_house_print",
            ),
        ] + super().get_urls()

    def _house(self, request, object_id) -> House:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=object_id)

    def qr_view(self, request, object_id):
        house = self._house(request, object_id)
        response = HttpResponse(house_qr_svg(house), content_type="image/svg+xml")
        response["Cache-Control"] = "private, max-age=300"
        return response

    def print_view(self, request, object_id):
        house = self._house(request, object_id)
        return TemplateResponse(
            request,
            "permits/registrations/house_print.html",
            {
                **self.admin_site.each_context(request),
                "house": house,
                "qr_svg": house_qr_svg(house).decode().split("?>", 1)[-1],
                "payload": registration_services.house_qr_payload(house),
                "title": house.code,
            },
        )


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(StationScopedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "station"]
    list_select_related = ["user", "station"]
    list_filter = ["station"]
    autocomplete_fields = ["user"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # Only staff accounts are assigned to a station (the autocomplete offers only
            # them, see applicants.admin.UserAdmin); a posted applicant account is refused.
            kwargs["queryset"] = db_field.remote_field.model._default_manager.filter(is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(ResidenceRegistration)
class ResidenceRegistrationAdmin(StationScopedAdminMixin, admin.ModelAdmin):
    """The station's queue of residence registrations. Read-only; the decision buttons and
    the "register selected" action call the services."""

    change_form_template = "permits/registrations/admin_change_form.html"
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
        "state",
        "registered_at",
        "rejection_note",
        "cancelled_on",
        "created_at",
        "history",
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

    @admin.display(description=_("proof document"))
    def proof_link(self, obj):
        url = reverse("permits:registration_proof", args=[obj.pk])
        if obj.proof.name.lower().endswith(".pdf"):
            return format_html(
                '<a href="{}" target="_blank" rel="noopener">{} (PDF)</a>',
                url,
                gettext("Open the proof document"),
            )
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">'
            '<img src="{}" alt="{}" style="max-width:320px;max-height:240px;border:1px solid #ccc">'
            "</a>",
            url,
            url,
            gettext("Open the proof document"),
        )

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
                        row.from_state or "-",
                        row.to_state,
                        row.actor or gettext("system"),
                        row.note,
                    )
                    for row in rows
                ),
            ),
        )

    # --- decisions --------------------------------------------------------------------------
    @admin.action(description=_("Register the selected residence registrations"))
    def register_selected(self, request, queryset):
        done, refused = 0, 0
        for registration in queryset.filter(state=RegistrationState.SUBMITTED)[:100]:
            try:
                registration_services.register_residence(registration=registration, by=request.user)
            except (ValidationError, PermissionDenied):
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

    def get_urls(self):
        return [
            path(
                "<path:object_id>/register/",
                self.admin_site.admin_view(self.register_view),
                name="permits_residenceregistration_register",
            ),
            path(
                "<path:object_id>/reject/",
                self.admin_site.admin_view(self.reject_view),
                name="permits_residenceregistration_reject",
            ),
        ] + super().get_urls()

    def _target(self, request, object_id):
        if request.method != "POST":
            return None, HttpResponseNotAllowed(["POST"])
        registration = get_object_or_404(self.get_queryset(request), pk=object_id)
        return registration, None

    def _back(self, registration):
        return HttpResponseRedirect(
            reverse("admin:permits_residenceregistration_change", args=[registration.pk])
        )

    def register_view(self, request, object_id):
        registration, refused = self._target(request, object_id)
        if refused:
            return refused
        form = ReviewRegistrationForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            registration_services.register_residence(
                registration=registration, by=request.user, note=note
            )
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, gettext("Registered; the applicant is notified."))
        return self._back(registration)

    def reject_view(self, request, object_id):
        registration, refused = self._target(request, object_id)
        if refused:
            return refused
        form = ReviewRegistrationForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            registration_services.reject_registration(
                registration=registration, by=request.user, note=note
            )
        except ValidationError as exc:
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
        else:
            self.message_user(request, gettext("Rejected; the applicant is notified."))
        return self._back(registration)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        registration = self.get_object(request, admin.utils.unquote(object_id))
        extra_context["can_decide"] = (
            registration is not None
            and registration.state == RegistrationState.SUBMITTED
            and registration_services.can_review(request.user, registration)
        )
        extra_context["review_form"] = ReviewRegistrationForm()
        return super().change_view(request, object_id, form_url, extra_context)
