"""An application's desk (the admin's page of a permit application,
``/admin/permits/permitapplication/<pk>/change/``): its own view and Jinja2 template
(``review/jinja2/review/staff/desk.html`` on the lean ``review/staff/base.html``,
``core.jinja2``), not the admin's change form (issue 29). ``PermitApplicationAdmin.change_view``
hands the page here, so the admin's checks come first (an active member of staff, the second
factor).

Everything the officer checks on one page: the acts this user may do now (each a button to its
form, ``review.desks.admin``: the one desk mechanism, with its permission, version and audit),
the case's facts and clock, what the rules say while a decision is pending, applicant and
identity, registration, permit, materials, papers and the timeline. Reads are
``review.selectors.desk_application`` (the row, within the user's scope: another station's is a
404) and the desk's own (``review.desks``)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import ngettext

from core import clock, page_cache
from core.display import pk_url
from permits import rules
from permits.constants import ApplicationState
from permits.models import PermitApplication
from permits.scoping import is_supervisor
from permits.selectors import lessors as lessor_selectors
from permits.selectors.applications import answer_rows
from permits.selectors.registrations import residence_chain_since, residence_period
from permits.services.applications.eligibility import check_eligibility

from .. import selectors
from ..access import access_digest
from ..desks.identities import PHOTOS as IDENTITY_PHOTOS
from . import can_reveal_id
from .staff import staff_context

DESK_PERMISSION = "permits.view_permitapplication"

# The facts of the case shown at the head of the desk, each only when it has a value.
DESK_FACTS = [
    "service",
    "basis",
    "state",
    "station",
    "agency",  # the community service agency it was filed at (issue 31)
    "extension_days",
    "extension_reason",
    "accepted_at",
    "decided_at",
    "produced_at",
    "rejection_reason",
    "rejection_note",
    "new_card_serial",
    "delivery_method",
    "tracking_number",
]


# A decision is pending: the rules' verdict is shown (issue 27, point 5).
DECISION_STATES = (
    ApplicationState.SUBMITTED,
    ApplicationState.SUPPLEMENT_REQUESTED,
    ApplicationState.ACCEPTED,
)


def desk_facts(application) -> list[tuple[str, object]]:
    """(label, value) of each fact of ``DESK_FACTS`` that has a value (no row of "-")."""
    rows = []
    for name in DESK_FACTS:
        value = getattr(application, name)
        if value in (None, "", 0):
            continue
        field = PermitApplication._meta.get_field(name)
        if field.choices:
            value = getattr(application, f"get_{name}_display")()
        rows.append((field.verbose_name, value))
    return rows


def desk_clock(application, today) -> dict:
    """When it came in, when the decision is due and how near that is (the deadline is the
    rules' date, stored on the case; ``selectors.urgency`` says overdue or due soon)."""
    days_left = (application.deadline - today).days if application.deadline else None
    return {
        "submitted_at": application.submitted_at,
        "deadline": application.deadline,
        "days_left": days_left,
        # a plural here, not in the template: makemessages reads no plural of a Jinja2 template
        "days_left_text": (
            ngettext("%(days)s day left", "%(days)s days left", days_left) % {"days": days_left}
            if days_left is not None
            else ""
        ),
        "urgency": selectors.urgency(application, today),
        "is_late": application.is_late,
        "change_due_days": rules.CHANGE_DUE_DAYS,  # seed 002: a change reported within 30 days
    }


def desk_verdict(application, today, *, chain_since) -> list[str] | None:
    """What the rules say against the case today, for one waiting for a decision (the same
    check the applicant met on submitting); None when no decision is pending. ``chain_since``:
    the person's ``residence_chain_since``, read once for the page."""
    if application.state not in DECISION_STATES:
        return None
    return check_eligibility(
        user=application.filed_by,
        person=application.person,
        service=application.service,
        today=today,
        exclude_pk=application.pk,
        household_region=(application.answers or {}).get("household_region") or None,
        chain_since=chain_since,
    )


def _materials(application) -> list:
    materials = list(
        application.materials.select_related(
            "requirement", "photo_receipt", "lessor_confirmation"
        ).order_by("requirement__order", "requirement__code", "-version")
    )
    for material in materials:
        material.url = reverse(
            "admin:review_application_material", args=[application.pk, material.pk]
        )
        material.is_pdf = (material.content_type or "").endswith("pdf") or (
            material.file.name.lower().endswith(".pdf")
        )
        # issue 31: the lessor's confirmation standing for the lease (who, when)
        material.lessor_note = lessor_selectors.describe(material.lessor_confirmation)
    return materials


def _months(months: int) -> str:
    """ "5 months": a plural here, not in the template (makemessages reads no plural of a Jinja2
    template)."""
    return ngettext("%(months)s month", "%(months)s months", months) % {"months": months}


def desk_context(model_admin, request, application) -> dict:
    """The desk's page: the acts this user may do now and the history, as the one desk
    mechanism builds them for every desk (``DeskAdminMixin.desk_context``), and what an
    application's desk shows besides."""
    today = clock.today()
    user = request.user
    person = application.person
    registration = application.registration
    chain_since = residence_chain_since(person)
    residence_since = (
        chain_since
        or residence_period(
            registration.since,
            registration.registered_at,
            registration.cancelled_on,
            registration.state,
        )[0]
    )
    return {
        **model_admin.desk_context(request, application),  # desk_acts, desk_version, history
        "facts": desk_facts(application),
        "clock": desk_clock(application, today),
        "verdict": desk_verdict(application, today, chain_since=chain_since),
        "id_photos": [
            (label, reverse("applicants:identity_file", args=[person.pk, kind]))
            for kind, field, label in IDENTITY_PHOTOS
            if getattr(person, field)
        ],
        "application": application,
        "person": person,
        "agent": application.filed_by.own_identity if person.is_dependent else None,
        "registration": registration,
        # counted as the rules count it (issue 25, point 1): from the registration the
        # station recorded, across moves in the city, never from the typed move-in date
        "residence_since": residence_since,
        "registration_age": _months(rules.months_resided(residence_since, today)),
        "permit": application.permit,
        "answer_rows": answer_rows(application),
        "materials": _materials(application),
        # The papers the station issued on this case (issue 16), each with its PDF.
        "documents": list(
            application.documents.select_related("issued_by").order_by("issued_at", "pk")
        ),
        "can_reveal_id": can_reveal_id(user),
        "supervisor": is_supervisor(user),
        "changelist_url": reverse("admin:permits_permitapplication_changelist"),
        "changelist_title": PermitApplication._meta.verbose_name_plural,
        "reveal_url": reverse("admin:review_application_reveal_id", args=[application.pk]),
        "registration_url": pk_url("admin:permits_residenceregistration_change")(registration.pk),
        "permit_url": (
            pk_url("admin:permits_residencepermit_change")(application.permit_id)
            if application.permit_id
            else ""
        ),
    }


def desk_view(model_admin, request, object_id):
    """The desk of one application of the user's scope (404 outside it, whatever the method),
    for staff who may view applications (403 otherwise); read only (a POST is refused, 403,
    as the admin's read-only change form refused it).

    Kept in the page cache (``core.page_cache.staff_page_key``) under the page generations of
    the accounts the case concerns, read by one small query first, and the viewer's access: any
    change the desk shows bumps one of those generations in the change's own transaction (the
    one transition runner, the watched rows, the daily jobs), so a kept desk is never stale."""
    user = request.user
    if not user.has_perm(DESK_PERMISSION):
        raise PermissionDenied
    generations = selectors.desk_generations(user, object_id)
    if generations is None:
        raise Http404
    if request.method not in ("GET", "HEAD"):
        raise PermissionDenied  # nothing is edited here (the acts post to their own URLs)
    key = page_cache.staff_page_key(request, "desk", object_id, access_digest(user), *generations)
    return page_cache.serve(request, key, lambda: _draw_desk(model_admin, request, object_id))


def _draw_desk(model_admin, request, object_id):
    application = selectors.desk_application(request.user, object_id)
    if application is None:  # left the user's scope since the generations were read
        raise Http404
    context = {
        **staff_context(request, title=application.reference),
        **desk_context(model_admin, request, application),
    }
    return TemplateResponse(request, "review/staff/desk.html", context, using="jinja2")
