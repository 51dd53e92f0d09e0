"""What a kind of paper declares (one subclass per kind, one module per subclass):

- ``code``: the value stored in ``Document.kind``;
- ``label``: the kind's name in lists, the admin and on the verification page;
- ``title``: the heading printed on the paper (``title_for(document)`` when it depends on
  what the paper says);
- ``template_name`` (a template extending ``permits/documents/base.html``), or
  ``template_source`` (the template's text, for a kind declared outside the project's templates);
- ``facts(...)``: what it prints, as a JSON snapshot taken when it is issued (``payload``), and
  ``printed_facts(facts, document)``: the labels the template shows for the codes in it;
- ``issued``: ``APPLICATION_ACT`` (by the service that takes an act on an application, through
  ``permits.services.documents.issue_for_application``) or ``ON_DEMAND`` (asked for by the
  holder of a permit, through ``issue_on_demand``);
- ``verifiable``: whether the public verification page and API confirm it (and whether it
  carries the verification QR code and short code);
- ``id_number_shown``: ``MASKED`` (first 6, last 4: the default, as in lists) or ``FULL``, each
  kind saying why in its declaration.
"""

from __future__ import annotations

from typing import ClassVar

from django.template import engines
from django.template.loader import get_template
from django.utils import timezone

from permits import service_types

__all__ = [
    "APPLICATION_ACT",
    "FULL",
    "MASKED",
    "ON_DEMAND",
    "ApplicationPaper",
    "OnDemandPaper",
    "Paper",
]

APPLICATION_ACT = "application_act"
ON_DEMAND = "on_demand"
MASKED, FULL = "masked", "full"


def iso_date(moment) -> str:
    return timezone.localdate(moment).isoformat() if moment else ""


def choice_label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else (value or "")


class Paper:
    code: ClassVar[str] = ""
    label: ClassVar = ""
    title: ClassVar = ""
    issued: ClassVar[str] = ""
    verifiable: ClassVar[bool] = True
    # The notices of a case go to the applicant, who knows the number: the name, the reference
    # and the masked number identify them; a paper read by a third party that must match it
    # against the identity card prints it in full (and says why).
    id_number_shown: ClassVar[str] = MASKED
    order: ClassVar[int] = 100  # its place among the kinds (lists, choices)
    template_name: ClassVar[str] = ""
    template_source: ClassVar[str] = ""

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.code!r}>"

    def title_for(self, document) -> str:
        """The heading of this paper (in the active language)."""
        return str(self.title)

    def get_template(self):
        """The template (a Django template backend's ``Template``) the paper is rendered from."""
        if self.template_source:
            return engines["django"].from_string(self.template_source)
        return get_template(self.template_name or f"permits/documents/{self.code}.html")

    def no_longer_holds(self, document, *, today) -> bool:
        """Whether what the paper attests has stopped being true on ``today`` (its verification
        then answers "not valid"); a notice of a decision always holds."""
        return False

    def printed_facts(self, facts: dict, document) -> dict:
        """``facts`` (the payload, dates already parsed) with what the template shows for the
        codes in it: labels in the active language."""
        return facts


class ApplicationPaper(Paper):
    """A paper of a case: issued by the service that takes an act on the application, in its
    transaction. The payload is the case's facts and the kind's own (``facts``)."""

    issued = APPLICATION_ACT

    def facts(self, application, *, note: str = "", from_state: str = "") -> dict:
        """What this kind prints beyond the case's facts. ``note`` is the officer's note of the
        act, ``from_state`` the state the application left."""
        return {}

    def payload(self, application, *, note: str = "", from_state: str = "") -> dict:
        person = application.person
        return {
            "reference": application.reference or "",
            "service": application.service,
            "name": person.full_name,
            "id_number_masked": person.masked_id_number,
            "submitted_on": iso_date(application.submitted_at),
            **self.facts(application, note=note, from_state=from_state),
        }

    def printed_facts(self, facts: dict, document) -> dict:
        facts["service_label"] = service_types.label(facts.get("service"))
        return facts


class OnDemandPaper(Paper):
    """A paper the holder of a permit asks for (in the personal center): ``check`` says whether
    ``user`` may have it today, ``facts`` what it says, ``valid_until`` how long it holds."""

    issued = ON_DEMAND

    def check(self, *, user, permit, today) -> None:
        """Raise a ``core.errors.ServiceError`` when ``user`` may not have it for ``permit``."""

    def facts(self, permit, *, today) -> dict:
        return {}

    def valid_until(self, today):
        return None
