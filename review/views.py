"""The review desk's own screens, served inside the admin (``PermitApplicationAdmin.get_urls``
wraps each one in ``admin_site.admin_view``): the acts behind the buttons, the full ID number on
demand, the staff view of an uploaded material, the window handover, the bulk "mark produced"
page, the officers' queue on the admin's landing page and the supervisors' report.

Every act calls its service in ``permits.services.applications``; the services check the role,
the station and the state again, notify the applicant and write the history.
"""

from __future__ import annotations

import datetime
import math
import re
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed, has_transition_perm

from core.errors import ServiceError, StaleState
from core.fsm import holds_transition_permission
from core.masking import mask_name
from core.uploads import protected_file_response
from permits.admin.id_search import (
    TOKEN_VAR,
    carries_id_number,
    mask_term,
    recall_term,
    remember_term,
)
from permits.constants import ApplicationState, Service, StaffGroup
from permits.models import Material, PermitApplication, Station
from permits.scoping import is_supervisor, scope_to_station
from permits.services import applications as services

from . import audit, forms

# --- the acts behind the buttons ----------------------------------------------------------------


@dataclass(frozen=True)
class Act:
    name: str  # the transition method on PermitApplication, and the URL part
    label: str
    done: str
    form_class: type[forms.ActForm]
    service: str  # the function in permits.services.applications
    danger: bool = False


ACTS: dict[str, Act] = {
    act.name: act
    for act in [
        Act("accept", _("Accept (受理)"), _("Accepted; the applicant is notified."), forms.ActForm,
            "accept"),
        Act("request_supplement", _("Request materials (一次性告知)"),
            _("More material requested; the applicant is notified."), forms.SupplementForm,
            "request_supplement"),
        Act("approve", _("Approve"), _("Approved; the applicant is notified."), forms.ActForm,
            "approve"),
        Act("reject", _("Reject"), _("Rejected; the applicant is notified."), forms.RejectForm,
            "reject", danger=True),
        Act("extend_deadline", _("Extend the deadline"),
            _("Deadline extended; the applicant is notified."), forms.ExtendDeadlineForm,
            "extend_deadline"),
        Act("mark_produced", _("Mark produced (制证完成)"),
            _("Marked produced; the applicant is notified."), forms.ProducedForm,
            "mark_produced"),
        Act("record_old_card_received", _("Old card received"),
            _("Old card recorded as received; the applicant is notified."), forms.ActForm,
            "record_old_card_received"),
        Act("record_mailed", _("Mailed (tracking number)"),
            _("Dispatch recorded; the applicant is notified."), forms.MailedForm,
            "record_mailed"),
        Act("record_delivered", _("Delivered"),
            _("Delivery recorded; the applicant is notified."), forms.ActForm,
            "record_delivered"),
        Act("record_collected", _("Hand over at the window"),
            _("Handed over; the applicant is notified."), forms.CollectedForm,
            "record_collected"),
    ]
}  # fmt: skip


def allowed_acts(application: PermitApplication, user) -> list[Act]:
    """The acts this user may do on this application now: the transition is possible from the
    state with its conditions (``can_proceed``) and the user holds its permission for this
    station (``has_transition_perm``)."""
    acts = []
    for act in ACTS.values():
        bound = getattr(application, act.name)
        if can_proceed(bound) and has_transition_perm(bound, user):
            acts.append(act)
    return acts


def holds_permission(application: PermitApplication, act: Act, user) -> bool:
    """The act's permission for this user and this row's station, whatever the state (a clerk
    may open "mailed" before the old card arrived and be told why it cannot be done yet)."""
    return holds_transition_permission(application, act.name, user)


def version_of(application: PermitApplication) -> str:
    """What the officer saw: any change (any act, any save) makes another version."""
    return f"{application.state}@{application.updated_at.isoformat()}"


STALE_MESSAGE = _(
    "This application changed since you opened it (someone else acted on it). Nothing was "
    "applied: reload it and check before acting again."
)


def _change_url(application) -> str:
    return reverse("admin:permits_permitapplication_change", args=[application.pk])


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if target.startswith("/admin/") and "//" not in target else default


def act_view(model_admin, request, object_id, act_name):
    act = ACTS.get(act_name)
    if act is None:
        raise Http404
    application = get_object_or_404(
        model_admin.get_queryset(request).select_related("person", "permit", "station"),
        pk=object_id,
    )
    bound = getattr(application, act.name)
    if not holds_permission(application, act, request.user):
        raise PermissionDenied
    back = _safe_next(request, _change_url(application))
    form_kwargs = {"application": application}
    if request.method == "POST":
        form = act.form_class(request.POST, **form_kwargs)
        if form.is_valid():
            if form.cleaned_data["version"] != version_of(application):
                messages.error(request, STALE_MESSAGE)
                return HttpResponseRedirect(_change_url(application))
            try:
                getattr(services, act.service)(
                    user=request.user, application=application, **form.service_kwargs()
                )
            except StaleState:
                messages.error(request, STALE_MESSAGE)
                return HttpResponseRedirect(_change_url(application))
            except ServiceError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, act.done)
                return HttpResponseRedirect(back)
    else:
        if not can_proceed(bound):
            messages.warning(
                request,
                gettext("“%(act)s” is not possible while the application is “%(state)s”.")
                % {"act": act.label, "state": application.get_state_display()},
            )
            return HttpResponseRedirect(_change_url(application))
        form = act.form_class(initial={"version": version_of(application)}, **form_kwargs)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": f"{act.label}: {application.reference}",
        "application": application,
        "act": act,
        "form": form,
        "next": back,
    }
    return TemplateResponse(request, "review/act_form.html", context)


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
            .filter(Q(reference__iexact=code) | Q(pickup_code=code))
            .first()
        )
        not_found = application is None
        if application is not None and application.state == ApplicationState.AWAITING_PICKUP:
            collect_form = forms.CollectedForm(
                initial={"version": version_of(application)}, application=application
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
            if not serial and application.service in (Service.NEW, Service.REPLACEMENT):
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
                "same_card": row.service in (Service.RENEWAL, Service.CHANGE),
            }
            for row in rows
        ],
        "action_checkbox_name": "_selected_action",
    }
    return TemplateResponse(request, "review/mark_produced.html", context)


# --- the queue on the admin's landing page -----------------------------------------------------

# Waiting for an officer, and waiting for the station's clerks.
OFFICER_STATES = (ApplicationState.SUBMITTED, ApplicationState.ACCEPTED)
CLERK_STATES = (
    ApplicationState.APPROVED,
    ApplicationState.PRODUCED,
    ApplicationState.AWAITING_OLD_CARD,
    ApplicationState.AWAITING_PICKUP,
    ApplicationState.MAILED,
)
WAITING_STATES = OFFICER_STATES + CLERK_STATES
DUE_SOON_DAYS = 3
QUEUE_PAGE_SIZE = 50
ID_DIGITS = re.compile(r"^\d{3,17}[\dXx]?$")


def _default_states(user) -> tuple:
    if is_supervisor(user):
        return WAITING_STATES
    names = {g.name for g in user.groups.all()}
    if StaffGroup.OFFICER in names:
        return OFFICER_STATES
    if StaffGroup.CLERK in names:
        return CLERK_STATES
    return WAITING_STATES


def search_filter(term: str) -> Q:
    """Reference, name, or the last digits of the ID number (a whole number matches too)."""
    term = term.strip()
    condition = Q(reference__icontains=term) | Q(person__full_name__icontains=term)
    if ID_DIGITS.match(term):
        condition |= Q(person__id_number__endswith=term.upper())
    return condition


def queue_queryset(user, params, *, today=None):
    """The waiting applications of the user's station (all stations for a supervisor), the
    oldest deadline first, filtered by ``params`` (service, state, due, q)."""
    today = today or timezone.localdate()
    states = _default_states(user)
    state = params.get("state", "")
    if state in WAITING_STATES:
        states = (state,)
    qs = PermitApplication.objects.filter(state__in=states)
    service = params.get("service", "")
    if service in Service.values:
        qs = qs.filter(service=service)
    due = params.get("due", "")
    if due == "overdue":
        qs = qs.filter(state=ApplicationState.ACCEPTED, deadline__lt=today)
    elif due == "soon":
        qs = qs.filter(
            deadline__gte=today, deadline__lte=today + datetime.timedelta(days=DUE_SOON_DAYS)
        )
    station = params.get("station", "")
    if station.isdigit():
        qs = qs.filter(station_id=int(station))
    term = (params.get("q") or "").strip()
    if term:
        qs = qs.filter(search_filter(term[:60]))
    return (
        scope_to_station(qs, user)
        .select_related("person", "station")
        .order_by(F("deadline").asc(nulls_last=True), "submitted_at", "pk")
    )


def queue_search_terms(request):
    """The queue's filters with the search term resolved: a term carrying an ID number comes
    only from the session (``q_token``, set by ``queue_search_view``), never from the URL."""
    params = request.GET.copy()
    token = params.pop(TOKEN_VAR, [None])[0]
    term = (params.get("q") or "").strip()
    if carries_id_number(term):
        term = ""
    if token:
        term = recall_term(request, token) or ""
    params["q"] = term
    return params, token


def queue_search_view(model_admin, request):
    """POST of the queue's filter form: the search term goes to the session, the redirect to
    the queue carries only a token (an ID number never stands in a URL or an access log)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    if not request.user.has_perm("permits.view_permitapplication"):
        raise PermissionDenied
    params = [
        (key, value)
        for key in ("service", "state", "due", "station")
        if (value := request.POST.get(key, ""))
    ]
    term = request.POST.get("q", "").strip()[:60]
    if term:
        params.append((TOKEN_VAR, remember_term(request, term)))
    url = reverse("admin:index", current_app=model_admin.admin_site.name)
    return HttpResponseRedirect(f"{url}?{urlencode(params)}" if params else url)


def queue_context(request) -> dict:
    user = request.user
    today = timezone.localdate()
    params, token = queue_search_terms(request)
    qs = queue_queryset(user, params, today=today)
    paginator = Paginator(qs, QUEUE_PAGE_SIZE)
    page = paginator.get_page(params.get("page"))
    soon = today + datetime.timedelta(days=DUE_SOON_DAYS)
    rows = []
    for application in page.object_list:
        urgency = ""
        if application.deadline and application.state == ApplicationState.ACCEPTED:
            if application.deadline < today:
                urgency = "overdue"
            elif application.deadline <= soon:
                urgency = "due-soon"
        rows.append(
            {
                "application": application,
                "urgency": urgency,
                "name": mask_name(application.person.full_name),
            }
        )
    supervisor = is_supervisor(user)
    query = params.copy()
    query.pop("page", None)
    query.pop("q", None)
    if token:
        query[TOKEN_VAR] = token
    hides_term = carries_id_number(params["q"])
    shown = params.copy()
    shown["q"] = "" if hides_term else params["q"]
    return {
        "masked_q": mask_term(params["q"]) if hides_term else "",
        "rows": rows,
        "page": page,
        "paginator": paginator,
        "params": shown,
        "query_string": query.urlencode(),
        "services": Service.choices,
        "states": [(s.value, s.label) for s in WAITING_STATES],
        "stations": Station.objects.order_by("name") if supervisor else None,
        "is_supervisor": supervisor,
        "today": today,
    }


# --- the supervisors' report --------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (as PostgreSQL's percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def station_report(*, start: datetime.date, end: datetime.date, today=None) -> list[dict]:
    """Per station, for the days ``start`` to ``end`` (inclusive, local time): received
    (submitted), accepted, approved, rejected, median and 90th-percentile days from acceptance
    to production, overdue now, and the first-time approval rate (approved without any request
    for more material, over all decisions of the period)."""
    today = today or timezone.localdate()
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    next_day = end + datetime.timedelta(days=1)
    until = datetime.datetime.combine(next_day, datetime.time.min, tzinfo=tz)

    def between(field):
        return Q(**{f"{field}__gte": since, f"{field}__lt": until})

    decided = between("decided_at")
    rejected = Q(state=ApplicationState.REJECTED)
    counts = {
        row["station_id"]: row
        for row in PermitApplication.objects.values("station_id").annotate(
            received=Count("pk", filter=between("submitted_at")),
            accepted=Count("pk", filter=between("accepted_at")),
            approved=Count("pk", filter=decided & ~rejected),
            rejected=Count("pk", filter=decided & rejected),
            first_time=Count(
                "pk", filter=decided & ~rejected & Q(supplement_requested_at__isnull=True)
            ),
            overdue=Count("pk", filter=Q(state=ApplicationState.ACCEPTED, deadline__lt=today)),
        )
    }
    durations: dict[int, list[float]] = {}
    produced = PermitApplication.objects.filter(
        between("produced_at"), accepted_at__isnull=False
    ).values_list("station_id", "accepted_at", "produced_at")
    for station_id, accepted_at, produced_at in produced.iterator(chunk_size=2000):
        durations.setdefault(station_id, []).append(
            (produced_at - accepted_at).total_seconds() / 86400
        )
    report = []
    for station in Station.objects.order_by("name"):
        row = counts.get(station.pk, {})
        decisions = row.get("approved", 0) + row.get("rejected", 0)
        days = durations.get(station.pk, [])
        median, p90 = percentile(days, 0.5), percentile(days, 0.9)
        report.append(
            {
                "station": station,
                "received": row.get("received", 0),
                "accepted": row.get("accepted", 0),
                "approved": row.get("approved", 0),
                "rejected": row.get("rejected", 0),
                "produced": len(days),
                "median_days": None if median is None else round(median, 1),
                "p90_days": None if p90 is None else round(p90, 1),
                "overdue": row.get("overdue", 0),
                "first_time_rate": (
                    None if not decisions else round(100 * row.get("first_time", 0) / decisions)
                ),
            }
        )
    return report


def report_view(model_admin, request):
    if not is_supervisor(request.user):
        raise PermissionDenied
    today = timezone.localdate()
    initial = {"start": today.replace(day=1), "end": today}
    form = forms.ReportForm(request.GET or None, initial=initial)
    report, period = None, None
    if form.is_bound and form.is_valid():
        period = (form.cleaned_data["start"], form.cleaned_data["end"])
    elif not form.is_bound:
        period = (initial["start"], initial["end"])
    if period is not None:
        report = station_report(start=period[0], end=period[1], today=today)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": gettext("Stations report"),
        "form": form,
        "report": report,
        "period": period,
    }
    return TemplateResponse(request, "review/report.html", context)
