"""Who may apply for which service today (seed 003 Art. 2, seeds 001, 002): every reason why
not, in plain words, from the statutory rules in ``permits.rules`` and the service's own
declaration (``permits.service_types``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from applicants.id_numbers import age_on
from core import clock
from permits import rules, service_types
from permits.constants import ApplicationState
from permits.selectors.applicant import current_permit, current_registration, open_application
from permits.selectors.registrations import residence_chain_since

from .common import city_region_codes

_READ = object()  # chain_since not given: read here


def check_eligibility(
    *,
    user,
    person,
    service,
    today=None,
    exclude_pk=None,
    household_region=None,
    chain_since=_READ,
) -> list[str]:
    """Every reason, in plain words and in the active language, why ``user`` cannot apply for
    ``service`` for ``person`` today. Empty list: eligible (seed 003 Art. 2, seeds 001, 002).

    Residence counts from the start of the unbroken chain of registrations in the city; an agent
    needs their own identity verified (seed 001); ``household_region`` (a new permit's place of
    household registration, once asked) must lie outside the city (``CITY_REGION_CODES``).
    ``chain_since``: ``residence_chain_since(person)`` when the caller has read it already (the
    officer's desk shows it too), else it is read here."""
    today = today or clock.today()
    service_type = service_types.get(service)
    if person.account_id != getattr(user, "pk", None):
        return [str(_("You can apply only for yourself or for a person you act for as agent."))]
    registration = current_registration(person)
    facts = service_types.EligibilityFacts(
        person=person,
        permit=current_permit(person),
        registered_since=(
            (residence_chain_since(person) if chain_since is _READ else chain_since)
            or registration.since
            if registration is not None
            else None
        ),
        today=today,
        household_region=household_region,
        city_region_codes=city_region_codes(),
    )
    refusals = service_type.rule_refusals(facts)
    if person.is_dependent:
        agent = user.own_identity
        refusals += rules.agent_refusals(
            is_dependent=True,
            agent_verified=agent is not None and agent.is_verified,
            agent_reason=person.agent_reason,
            age=age_on(person.birth_date, today) if person.birth_date else None,
        )
    reasons = [str(refusal) for refusal in refusals]
    reasons += [str(reason) for reason in service_type.permit_refusals(facts)]

    other = open_application(person, exclude_pk=exclude_pk)
    if other is not None and not (other.state == ApplicationState.DRAFT and exclude_pk is None):
        reasons.append(
            _("Application %(reference)s (%(service)s) is still in progress.")
            % {"reference": other.reference, "service": other.service_type.label}
        )
    elif other is not None and other.service != service_type.code:
        reasons.append(
            _("A draft for %(service)s exists; submit or withdraw it first.")
            % {"service": other.service_type.label}
        )
    return [str(r) for r in reasons]
