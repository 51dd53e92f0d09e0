"""The officer's acts (accept, the one-time notice, approve, reject) and the supervisor's
extension of the deadline."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core import clock
from core.errors import InvalidInput, RuleRefused
from core.fsm import check_transition
from notifications.constants import NotificationKind
from permits import rules
from permits.constants import ApplicationRejectionReason, DocumentKind, SupplementReason
from permits.models import PermitApplication

from .. import documents
from .. import ratings as rating_services
from .common import (
    _deemed_acceptance_days,
    fire,
    last_log,
    notify_applicant,
    require_permission,
    settle_deemed_acceptance,
)


def accept(*, user, application, note: str = "") -> PermitApplication:
    """受理 (seed 001): the 15-day clock starts (calendar or working days, by setting). A
    submission already deemed accepted (Administrative Licensing Law Art. 32) is accepted on
    receipt, its clock running from that day, not from today."""

    def after(app):
        paper = documents.issue_for_application(
            app, DocumentKind.ACCEPTANCE, by=user, event_key="accept"
        )
        notify_applicant(
            app, NotificationKind.APPLICATION_ACCEPTED, deadline=app.deadline, document=paper
        )

    require_permission(application, "accept", user)
    if settle_deemed_acceptance(application, tell=False):  # told below, with the paper
        with transaction.atomic():
            after(application)
        return application
    return fire(application, "accept", user=user, note=note, after=after)


def request_supplement(*, user, application, items: list[dict], note: str = ""):
    """The one-time notice (一次性告知, seed 001): every missing or unacceptable item at once,
    each ``{"code": <requirement code>, "reason": <SupplementReason>, "note": "..."}``.
    A further request may only flag items re-uploaded since the previous one. Once the
    submission is deemed accepted (Administrative Licensing Law Art. 32) no notice may be sent:
    refused, the acceptance recorded."""
    check_transition(application, "request_supplement", user)
    if settle_deemed_acceptance(application):
        raise RuleRefused(
            _(
                "The submission counts as accepted on the day it was received: no notice of "
                "missing material was sent within %(days)s working days (Administrative "
                "Licensing Law, Art. 32). A one-time notice can no longer be sent; decide on "
                "the application."
            ),
            code="deemed_accepted",
            params={"days": _deemed_acceptance_days()},
        )
    requirements = {r.code: r for r in application.requirements()}
    cleaned, seen = [], set()
    for item in items or []:
        code = str(item.get("code", "")).strip()
        reason = str(item.get("reason", "")).strip()
        item_note = str(item.get("note", "")).strip()[:500]
        if code not in requirements:
            raise InvalidInput(
                _("“%(code)s” is not a material of this application."), params={"code": code}
            )
        if code in seen:
            raise InvalidInput(_("Each item may be listed once."))
        try:  # an unknown reason is no reason the applicant can act on
            rules.check_supplement_reasons(
                {code: reason if reason in SupplementReason.values else ""}
            )
        except rules.RuleViolation as violation:
            raise InvalidInput(_("Give a reason for every item."), code=violation.code) from None
        if reason == SupplementReason.OTHER and not item_note:
            raise InvalidInput(_("Explain the reason “other” in the note."), code="reason_missing")
        seen.add(code)
        cleaned.append({"code": code, "reason": reason, "note": item_note})
    previous = set(application.flagged_codes()) if application.supplement_requested_at else None
    try:
        rules.check_supplement_request(
            requested={i["code"] for i in cleaned},
            previous_requested=previous,
            reuploaded_since_previous=application.reuploaded_codes_since(
                application.supplement_requested_at
            ),
        )
    except rules.RuleViolation as violation:
        # the items by their names, never their codes (issue 15, point 6)
        params = dict(violation.params)
        if params.get("item_codes"):
            params["items"] = ", ".join(
                str(requirements[c].name) if c in requirements else c for c in params["item_codes"]
            )
        raise RuleRefused(violation.message, code=violation.code, params=params) from violation

    def after(app):
        log = last_log(app)
        paper = documents.issue_for_application(
            app, DocumentKind.SUPPLEMENT, by=user, event_key=f"supplement:{log.pk}", note=note
        )
        lines = []
        for item in cleaned:
            requirement = requirements[item["code"]]
            line = f"{requirement.name}: {SupplementReason(item['reason']).label}"
            if item["note"]:
                line += f" ({item['note']})"
            lines.append(line)
        notify_applicant(
            app,
            NotificationKind.SUPPLEMENT_REQUESTED,
            event_key=f"supplement:{log.pk}",
            items=lines,
            reason=note,
            document=paper,
        )

    return fire(
        application,
        "request_supplement",
        user=user,
        items=cleaned,
        note=note,
        after=after,
        log_extra={"items": cleaned},  # the log row lists what was asked for
    )


def approve(*, user, application, note: str = "") -> PermitApplication:
    def after(app):
        notify_applicant(app, NotificationKind.APPLICATION_APPROVED)

    return fire(application, "approve", user=user, note=note, after=after)


def reject(*, user, application, reason: str, note: str = "") -> PermitApplication:
    """Rejection states its reason (seed 002 ③, 004: information that does not match reality
    means no certificate)."""
    require_permission(application, "reject", user)
    if reason not in ApplicationRejectionReason.values:
        raise InvalidInput(_("Choose the reason for the rejection."))
    if reason == ApplicationRejectionReason.OTHER and not (note or "").strip():
        raise InvalidInput(_("Explain the reason “other” in the note."))
    # a submission deemed accepted (Administrative Licensing Law Art. 32) is no longer refused
    # acceptance (不予受理): it is accepted, and refused approval (不予批准)
    settle_deemed_acceptance(application)
    from_state = application.state  # before acceptance: 不予受理; after: 不予批准

    def after(app):
        app.service_type.after_closed(app, user=user, today=clock.today())
        text = str(ApplicationRejectionReason(reason).label)
        paper = documents.issue_for_application(
            app, DocumentKind.REFUSAL, by=user, event_key="reject", from_state=from_state
        )
        notify_applicant(
            app,
            NotificationKind.APPLICATION_REJECTED,
            reason=f"{text} {note}".strip() if note else text,
            document=paper,
            **rating_services.invite(app),
        )

    return fire(application, "reject", user=user, reason=reason, note=note, after=after)


def extend_deadline(*, user, application, days: int, reason: str) -> PermitApplication:
    """Seed 001 Art. 9: a supervisor extends the deadline, with a reason, by at most 30 days
    in total."""
    require_permission(application, "extend_deadline", user)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Give the reason for the extension."), code="reason_missing")
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise InvalidInput(_("The extension is a number of days, at least 1."))
    try:
        rules.extended_deadline(
            application.deadline or clock.today(),
            application.extension_days + days,
            mode=rules.configured_day_mode(),
        )
    except rules.RuleViolation as violation:
        raise RuleRefused.from_rule(violation) from violation

    def after(app):
        log = last_log(app)
        notify_applicant(
            app,
            NotificationKind.DEADLINE_EXTENDED,
            event_key=f"extension:{log.pk}",
            deadline=app.deadline,
            reason=reason,
        )

    return fire(
        application,
        "extend_deadline",
        user=user,
        days=days,
        reason=reason,
        note=reason,
        after=after,
    )
