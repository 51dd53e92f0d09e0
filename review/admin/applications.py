"""The police review admin (issue 7): permit applications and residence permits.

Officers and clerks see their own station's rows only (``StationScopedAdminMixin``: changelist,
change view, search, autocomplete, actions and every custom view start from ``get_queryset``),
supervisors all; another station's row answers 404. Nothing here edits a row: the state is
never a form field, and every act is a button opening a small form that calls its service
(the desk, ``review.desks``). The admin's landing page is the station's queue and an
application's page its desk, both lean screens of their own (``review.views.queue``,
``review.views.desk``; issue 29). A search by ID number goes through a POST and a session
token, never a URL (``permits.admin.id_search``).
"""

from django.contrib import admin
from django.db.models import F, Q
from django.urls import path
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import clock
from core.admin_mixins import ReadOnlyAdminMixin
from core.masking import mask_name
from permits.admin.applications import (
    CardSerialInline,
    PermitTransitionInline,
)
from permits.admin.id_search import IdNumberSearchMixin
from permits.admin.mixins import StationScopedAdminMixin
from permits.models import (
    PermitApplication,
    ResidencePermit,
)
from permits.scoping import is_supervisor

from .. import selectors, views
from ..desks.admin import DeskAdminMixin
from ..desks.applications import APPLICATION_DESK
from ..views.desk import desk_view
from ..views.queue import queue_search_view


class DeskFilter(admin.SimpleListFilter):
    title = _("desk")
    parameter_name = "desk"

    def lookups(self, request, model_admin):
        return [
            ("to_accept", _("to accept")),
            ("to_decide", _("to decide")),
            ("waiting_for_applicant", _("waiting for the applicant")),
            ("to_produce", _("to produce")),
            ("to_hand_over", _("to hand over or mail")),
            ("card_to_receive", _("cancellation: card to receive")),
            ("to_complete", _("cancellation: to complete")),
            ("mailed", _("mailed, not yet delivered")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value in selectors.QUEUE_STATES:
            return queryset.filter(
                selectors.hand_over_condition(request.user),
                state__in=selectors.QUEUE_STATES[value],
            )
        return queryset


class DueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "due"

    def lookups(self, request, model_admin):
        return selectors.due_choices()

    def queryset(self, request, queryset):
        condition = selectors.due_condition(self.value() or "", clock.today())
        return queryset if condition is None else queryset.filter(condition)


class LongUncollectedFilter(admin.SimpleListFilter):
    """Cards not collected 90 days after production (``selectors.long_uncollected``)."""

    title = _("card not collected")
    parameter_name = "uncollected"

    def lookups(self, request, model_admin):
        return [("90", _("for 90 days or more"))]

    def queryset(self, request, queryset):
        if self.value() == "90":
            long = selectors.long_uncollected(request.user)
            return queryset.filter(pk__in=long.values("pk"))
        return queryset


@admin.register(PermitApplication)
class PermitApplicationAdmin(
    ReadOnlyAdminMixin,
    IdNumberSearchMixin,
    DeskAdminMixin,
    StationScopedAdminMixin,
    admin.ModelAdmin,
):
    desk = APPLICATION_DESK
    desk_inline = False  # each act opens its own form page
    desk_act_url_name = "review_application_act"
    desk_select_related = (*selectors.DESK_RELATED, "registration__house")  # the act pages

    class Media:
        css = {"all": ["css/review-admin.css"]}  # the deadline badges (no inline styles: CSP)

    list_display = [
        "reference",
        "service",
        "masked_person",
        "masked_id_number",
        "station",
        "agency",
        "state",
        "deadline_flag",
        "submitted_at",
    ]
    list_filter = [DeskFilter, "service", "state", DueFilter, LongUncollectedFilter]
    list_select_related = ["person", "station", "agency"]
    search_fields = ["reference", "person__full_name"]
    search_help_text = _("Reference, name, or the last digits of the ID number.")
    ordering = [F("deadline").asc(nulls_last=True), "submitted_at", "pk"]
    list_per_page = 50
    show_full_result_count = False
    actions = ["mark_produced_selected"]
    # No change form: the application's page is its desk (``change_view``), which lists the facts
    # it shows (``review.views.desk.DESK_FACTS``).

    def get_list_filter(self, request):
        if is_supervisor(request.user):
            return [*self.list_filter, "station"]
        return self.list_filter

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        return queryset.filter(selectors.search_filter(term[:60])), False

    @admin.display(description=_("person"), ordering="person__full_name")
    def masked_person(self, obj):
        return mask_name(obj.person.full_name)

    @admin.display(description=_("resident ID number"))
    def masked_id_number(self, obj):
        return obj.person.masked_id_number

    @admin.display(description=_("decision due by"), ordering="deadline")
    def deadline_flag(self, obj):
        if obj.deadline is None:
            return "-"
        urgency = selectors.urgency(obj, clock.today())
        if urgency:
            if urgency == "overdue":
                return format_html(
                    '<strong class="review-overdue">{} · {}</strong>',
                    localize(obj.deadline),
                    gettext("overdue"),
                )
            return format_html(
                '<strong class="review-due-soon">{} · {}</strong>',
                localize(obj.deadline),
                gettext("due soon"),
            )
        return obj.deadline

    # --- the bulk action --------------------------------------------------------------------
    @admin.action(description=_("Mark produced (制证完成), with card serials"))
    def mark_produced_selected(self, request, queryset):
        return views.mark_produced_bulk(self, request, queryset)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not request.user.has_perm("permits.produce_certificate"):
            actions.pop("mark_produced_selected", None)
        return actions

    # --- custom views -----------------------------------------------------------------------
    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        return [
            path("handover/", wrap(self.handover_view), name="review_handover"),
            path("report/", wrap(self.report_view), name="review_report"),
            path("queue-search/", wrap(self.queue_search_view), name="review_queue_search"),
            path(
                "<path:object_id>/reveal-id/",
                wrap(self.reveal_id_view),
                name="review_application_reveal_id",
            ),
            path(
                "<path:object_id>/materials/<int:material_pk>/",
                wrap(self.material_file_view),
                name="review_application_material",
            ),
            path(
                "<path:object_id>/face/<slug:who>/",
                wrap(self.handover_face_view),
                name="review_handover_face",
            ),
        ] + super().get_urls()

    def reveal_id_view(self, request, object_id):
        return views.reveal_id_view(self, request, object_id)

    def material_file_view(self, request, object_id, material_pk):
        return views.material_file_view(self, request, object_id, material_pk)

    def handover_face_view(self, request, object_id, who):
        return views.handover_face_view(self, request, object_id, who)

    def queue_search_view(self, request):
        return queue_search_view(self, request)

    def handover_view(self, request):
        return views.handover_view(self, request)

    def report_view(self, request):
        return views.report_view(self, request)

    # --- the desk's page: its own lean view (issue 29) ------------------------------------------
    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The application's page is its desk, ``review.views.desk`` (not the admin's change
        form: nothing here is edited through a form); the acts post to ``desk_act_view``."""
        return desk_view(self, request, object_id)

    def desk_act_page_context(self, request, application) -> dict:
        return {"application": application, "title_object": application.reference}


@admin.register(ResidencePermit)
class ResidencePermitAdmin(
    ReadOnlyAdminMixin, IdNumberSearchMixin, StationScopedAdminMixin, admin.ModelAdmin
):
    list_display = [
        "number",
        "masked_holder",
        "masked_id_number",
        "station",
        "status",
        "valid_until",
        "continuous_since",
    ]
    list_filter = ["status", "basis"]
    list_select_related = ["holder", "station"]
    search_fields = ["number", "card_serial"]
    search_help_text = _("Permit number, card serial, or the last digits of the ID number.")
    ordering = ["-issued_on", "-pk"]
    inlines = [CardSerialInline, PermitTransitionInline]
    list_per_page = 50
    show_full_result_count = False
    fields = [
        "number",
        "card_serial",
        "masked_holder",
        "masked_id_number",
        "house",
        "station",
        "basis",
        "issued_on",
        "valid_until",
        "continuous_since",
        "last_endorsed_on",
        "status",
        "suspended_on",
        "cancelled_on",
    ]
    readonly_fields = fields

    def get_list_filter(self, request):
        if is_supervisor(request.user):
            return [*self.list_filter, "station"]
        return self.list_filter

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()[:60]
        if not term:
            return queryset, False
        condition = Q(number__iexact=term) | Q(card_serial__iexact=term)
        if selectors.ID_DIGITS.match(term):
            condition |= Q(holder__id_number__endswith=term.upper())
        return queryset.filter(condition), False

    @admin.display(description=_("holder"), ordering="holder__full_name")
    def masked_holder(self, obj):
        return mask_name(obj.holder.full_name)

    @admin.display(description=_("resident ID number"))
    def masked_id_number(self, obj):
        return obj.holder.masked_id_number
