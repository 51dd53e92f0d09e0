"""Who may apply for which service today (seed 003 Art. 2, seeds 001, 002): every reason why
not, in plain words, from the statutory rules in ``permits.rules``."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from permits import rules
from permits.constants import ApplicationState, PermitStatus, Service
from permits.selectors.applicant import current_permit, current_registration, open_application
from permits.selectors.registrations import residence_chain_since

from ._common import _city_region_codes, _today


def check_eligibility(
    *, user, person, service, today=None, exclude_pk=None, household_region=None
) -> list[str]:
    """Every reason, in plain words and in the active language, why ``user`` cannot apply for
    ``service`` for ``person`` today. Empty list: eligible (seed 003 Art. 2, seeds 001, 002).

    Residence counts from the start of the unbroken chain of registrations in the city; an agent
    needs their own identity verified (seed 001); ``household_region`` (a new permit's place of
    household registration, once asked) must lie outside the city (``CITY_REGION_CODES``)."""
    today = today or _today()
    service = Service(service)
    if person.account_id != getattr(user, "pk", None):
        return [str(_("You can apply only for yourself or for a person you act for as agent."))]
    registration = current_registration(person)
    registered_since = (
        residence_chain_since(person) or registration.since if registration is not None else None
    )
    permit = current_permit(person)

    if service == Service.NEW:
        refusals = rules.new_permit_refusals(
            identity_verified=person.is_verified,
            registered_since=registered_since,
            on=today,
            has_current_permit=permit is not None,
            check_basis=False,  # asked in the draft, checked on start and submit
            household_region=household_region,
            city_region_codes=_city_region_codes(),
        )
    else:
        refusals = rules.applicant_refusals(
            identity_verified=person.is_verified, registered_since=registered_since
        )
        if service == Service.CANCELLATION:  # moving away: no registration in force needed
            refusals = [r for r in refusals if r.code != "not_registered"]
    if person.is_dependent:
        agent = user.own_identity
        refusals += rules.agent_refusals(
            is_dependent=True, agent_verified=agent is not None and agent.is_verified
        )
    reasons = [str(refusal) for refusal in refusals]
    if service == Service.RENEWAL:
        if permit is None or permit.status not in (PermitStatus.ACTIVE, PermitStatus.SUSPENDED):
            reasons.append(_("There is no active or suspended residence permit to endorse."))
        else:
            try:
                rules.check_renewal_window(permit.valid_until, today)
            except rules.RuleViolation as violation:
                reasons.append(str(violation))
    elif service == Service.CHANGE:
        if permit is None or permit.status not in (PermitStatus.ACTIVE, PermitStatus.SUSPENDED):
            reasons.append(_("There is no residence permit whose details could be changed."))
    elif service == Service.REPLACEMENT and permit is None:
        reasons.append(_("There is no residence permit to replace."))
    elif service == Service.CANCELLATION and (
        permit is None or permit.status not in (PermitStatus.ACTIVE, PermitStatus.SUSPENDED)
    ):
        reasons.append(_("There is no active or suspended residence permit to cancel."))

    other = open_application(person, exclude_pk=exclude_pk)
    if other is not None and not (other.state == ApplicationState.DRAFT and exclude_pk is None):
        reasons.append(
            _("Application %(reference)s (%(service)s) is still in progress.")
            % {"reference": other.reference, "service": Service(other.service).label}
        )
    elif other is not None and other.service != service:
        reasons.append(
            _("A draft for %(service)s exists; submit or withdraw it first.")
            % {"service": Service(other.service).label}
        )
    return [str(r) for r in reasons]
