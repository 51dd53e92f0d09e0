"""The review desk's own screens, served inside the admin (``PermitApplicationAdmin.get_urls``
wraps each one in ``admin_site.admin_view``; the acts behind the buttons are the desk's own,
``review.desks.admin``): the full ID number on demand, the staff view of an uploaded material,
the window handover, the bulk "mark produced" page and the supervisors' report. The officer's
queue and the application desk have lean screens of their own, off the admin's page machinery
(``queue``, ``desk``, on ``staff``'s header; issue 29). Reads live in ``review.selectors``;
every act calls its service, which checks the role, the station and the state again, notifies
and writes the history.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from core import clock
from core.db_router import replica_reads
from core.errors import ServiceError
from core.uploads import protected_file_response
from permits import rules
from permits.constants import ApplicationState
from permits.models import Material
from permits.scoping import is_supervisor
from permits.services import applications as services

from .. import audit, forms, selectors
from ..desks.applications import APPLICATION_DESK

# --- the full ID number on demand, logged ------------------------------------------------------


def can_reveal_id(user) -> bool:
    """Those who check identities (officers, supervisors); a clerk compares the collector's
    number through the handover service and never needs to read it."""
    return user.has_perm("applicants.view_identity")


def reveal_id_view(model_admin, request, object_id):
    """The lists and pages show the masked number; the full one is shown on an explicit request,
    which is itself written to the audit log (who, which application, never the number)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not can_reveal_id(request.user):
        raise PermissionDenied
    application = get_object_or_404(
        model_admin.get_queryset(request).select_related("person", "filed_by"), pk=object_id
    )
    audit.log_event(
        "full_id_number_shown",
        request=request,
        record=application,
        application=application.pk,
        identity=application.person_id,
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": gettext("Resident ID number"),
        "application": application,
        "person": application.person,
    }
    return TemplateResponse(request, "review/reveal_id.html", context)


# --- an uploaded material, for staff of the application's station ------------------------------


def material_file_view(model_admin, request, object_id, material_pk):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    application = get_object_or_404(model_admin.get_queryset(request), pk=object_id)
    material = get_object_or_404(
        Material.objects.select_related("requirement"), pk=material_pk, application=application
    )
    return protected_file_response(
        material.file, download_name=f"{material.requirement.code}-v{material.version}"
    )


def handover_face_view(model_admin, request, object_id, who):
    """The face photo (from the verified identity) of the holder or the registered agent, for
    the clerk comparing faces at the window: staff who hand over certificates, the
    application of their own station, while it waits for pickup (issue 15, point 17)."""
    if not request.user.has_perm("permits.hand_over_certificate"):
        raise PermissionDenied
    application = get_object_or_404(
        model_admin.get_queryset(request).select_related("person", "filed_by"),
        pk=object_id,
        state=ApplicationState.AWAITING_PICKUP,
    )
    if who == "holder":
        identity = application.person
    elif who == "agent" and application.person.is_dependent:
        identity = application.filed_by.own_identity
    else:
        identity = None
    if identity is None or not identity.face_photo:
        raise Http404
    return protected_file_response(identity.face_photo, download_name=f"face-{who}")


# --- window handover ------------------------------------------------------------------------------


def handover_view(model_admin, request):
    """Find the certificate by its reference or by scanning the pickup QR code, then check the
    collector's ID number (holder or registered agent) and hand it over."""
    if not request.user.has_perm("permits.hand_over_certificate"):
        raise PermissionDenied
    find = forms.HandoverFindForm(request.GET or None)
    application, collect_form, not_found = None, None, False
    if find.is_valid():
        code = find.cleaned_data["code"].strip()
        application = (
            model_admin.get_queryset(request)
            .select_related("person", "station", "filed_by")
            # an agency's staff hand over only the cards collected at their agency, as their
            # queues list them (a card collected at the station is the station's)
            .filter(selectors.hand_over_condition(request.user))
            .filter(Q(reference__iexact=code) | Q(pickup_code=code))
            .first()
        )
        not_found = application is None
        if application is not None and application.state == ApplicationState.AWAITING_PICKUP:
            collect_form = forms.CollectedForm(
                initial={"version": APPLICATION_DESK.version_of(application)},
                application=application,
            )
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": gettext("Window handover"),
        "find": find,
        "application": application,
        "collect_form": collect_form,
        "not_found": not_found,
        "agent": (
            application.filed_by.own_identity
            if application is not None and application.person.is_dependent
            else None
        ),
        "next": reverse("admin:review_handover"),
    }
    return TemplateResponse(request, "review/handover.html", context)


# --- bulk "mark produced" with one card serial per row -----------------------------------------

BULK_LIMIT = 100


def mark_produced_bulk(model_admin, request, queryset):
    """The admin action: an intermediate page with one serial input per selected approved
    application; "apply" calls the service once per row (each notifies its applicant)."""
    if not request.user.has_perm("permits.produce_certificate"):
        raise PermissionDenied
    rows = list(
        queryset.filter(state=ApplicationState.APPROVED)
        .select_related("person", "permit")
        .order_by("pk")[:BULK_LIMIT]
    )
    errors: dict[int, str] = {}
    if request.POST.get("apply"):
        done = 0
        for application in rows:
            serial = request.POST.get(f"serial_{application.pk}", "").strip()
            if not serial and application.service_type.issues_new_card:
                errors[application.pk] = gettext("Enter or scan the card serial.")
                continue
            try:
                services.mark_produced(
                    user=request.user, application=application, card_serial=serial
                )
            except ServiceError as exc:
                errors[application.pk] = str(exc)
            else:
                done += 1
        if done:
            model_admin.message_user(
                request,
                ngettext(
                    "%(n)d application marked produced; the applicant is notified.",
                    "%(n)d applications marked produced; each applicant is notified.",
                    done,
                )
                % {"n": done},
                messages.SUCCESS,
            )
        if not errors:
            return None  # back to the changelist
        rows = [row for row in rows if row.pk in errors]
    if not rows:
        model_admin.message_user(
            request, gettext("Select approved applications to mark produced."), messages.WARNING
        )
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": gettext("Mark produced (制证完成): card serials"),
        "rows": [
            {
                "application": row,
                "error": errors.get(row.pk, ""),
                "value": request.POST.get(f"serial_{row.pk}", ""),
                "same_card": row.service_type.rewrites_card,
            }
            for row in rows
        ],
        "action_checkbox_name": "_selected_action",
    }
    return TemplateResponse(request, "review/mark_produced.html", context)


# --- the supervisors' report --------------------------------------------------------------------


def report_view(model_admin, request):
    if not is_supervisor(request.user):
        raise PermissionDenied
    today = clock.today()
    initial = {"start": today.replace(day=1), "end": today}
    form = forms.ReportForm(request.GET or None, initial=initial)
    report, agencies, period = None, None, None
    if form.is_bound and form.is_valid():
        period = (form.cleaned_data["start"], form.cleaned_data["end"])
    elif not form.is_bound:
        period = (initial["start"], initial["end"])
    if period is not None:
        with replica_reads():  # a report tolerates a few seconds of lag (issue 28)
            report = selectors.station_report(start=period[0], end=period[1], today=today)
            agencies = selectors.agency_report(start=period[0], end=period[1], today=today)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": gettext("Stations report"),
        "form": form,
        "report": report,
        "agency_report": agencies,
        "period": period,
        "day_mode": str(rules.configured_day_mode()),  # the unit of the days columns
    }
    return TemplateResponse(request, "review/report.html", context)
