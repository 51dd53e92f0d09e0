"""The permit application desk: its act table, each act calling its service in
``permits.services.applications``. In the admin each act opens its own small form
(``review/act_form.html``); the acts with an ``Endpoint`` are the station clerk's endpoints of
the staff API too (``review.api.staff``), with the input serializers of ``review.api.inputs``."""

from django.utils.translation import gettext_lazy as _

from core.fsm import holds_transition_permission
from permits.constants import SupplementReason
from permits.models import PermitApplication
from permits.services import applications as services

from .. import forms
from ..api import inputs
from .base import Act, Desk, Endpoint


def _service(name: str):
    def run(user, obj, **kwargs):
        return getattr(services, name)(user=user, application=obj, **kwargs)

    return run


def _act(name, label, done, form_class, danger=False, api=None):
    return Act(name, label, done, form_class, _service(name), danger=danger, api=api)


STALE_MESSAGE = _(
    "This application changed since you opened it (someone else acted on it). Nothing was "
    "applied: reload it and check before acting again."
)


class ApplicationDesk(Desk):
    model = PermitApplication
    stale_message = STALE_MESSAGE
    not_now_message = _("“%(act)s” is not possible while the application is “%(state)s”.")
    acts = {
        act.name: act
        for act in [
            _act("accept", _("Accept (受理)"), _("Accepted; the applicant is notified."),
                 forms.ActForm),
            _act("request_supplement", _("Request materials (一次性告知)"),
                 _("More material requested; the applicant is notified."), forms.SupplementForm),
            _act("approve", _("Approve"), _("Approved; the applicant is notified."),
                 forms.ActForm),
            _act("reject", _("Reject"), _("Rejected; the applicant is notified."),
                 forms.RejectForm, danger=True),
            _act("extend_deadline", _("Extend the deadline"),
                 _("Deadline extended; the applicant is notified."), forms.ExtendDeadlineForm),
            _act("mark_produced", _("Mark produced (制证完成)"),
                 _("Marked produced; the applicant is notified."), forms.ProducedForm,
                 api=Endpoint("produced", inputs.NoteSerializer,
                              "制证完成: the permit is issued, endorsed, changed or its card "
                              "replaced, and the\napplicant is told to choose pickup or mail.")),
            _act("record_old_card_received", _("Old card received"),
                 _("Old card recorded as received; the applicant is notified."), forms.ActForm,
                 api=Endpoint("old-card-received", inputs.NoteSerializer,
                              "The old card arrived by mail (renewal and change by mail).")),
            _act("record_mailed", _("Mailed (tracking number)"),
                 _("Dispatch recorded; the applicant is notified."), forms.MailedForm,
                 api=Endpoint("mailed", inputs.MailedSerializer,
                              "The certificate was mailed, with its tracking number.")),
            _act("record_delivered", _("Delivered"),
                 _("Delivery recorded; the applicant is notified."), forms.ActForm,
                 api=Endpoint("delivered", inputs.NoteSerializer,
                              "The mailed certificate was delivered.")),
            _act("record_card_returned", _("Card received (cancellation)"),
                 _("The card is recorded as received; an officer can complete the "
                   "cancellation."), forms.CardReturnedForm,
                 api=Endpoint("card-returned", inputs.CardReturnedSerializer,
                              "Cancellation (注销): the holder's card was received, by mail or "
                              "at the window.")),
            _act("complete_cancellation", _("Complete the cancellation (注销)"),
                 _("The permit and the registration are cancelled; the applicant is notified."),
                 forms.ActForm, danger=True,
                 api=Endpoint("cancellation-completed", inputs.NoteSerializer,
                              "Cancellation (注销): the officer completes it; the permit and the "
                              "registration are\ncancelled and the card serial invalidated.")),
            _act("record_collected", _("Hand over at the window"),
                 _("Handed over; the applicant is notified."), forms.CollectedForm,
                 api=Endpoint("collected", inputs.CollectedSerializer,
                              "Handed over at the window to the holder or the registered agent.")),
        ]
    }  # fmt: skip

    def may_act(self, obj, act, user) -> bool:
        # A clerk may open "mailed" before the old card arrived and be told why it cannot be
        # done yet: the permission for this row's station, whatever the state.
        return holds_transition_permission(obj, act.name, user)

    def form_kwargs(self, obj) -> dict:
        return {"application": obj}

    def log_items(self, obj, log) -> list[dict]:
        if not log.items:
            return []
        names = getattr(obj, "_requirement_names", None)
        if names is None:
            names = {r.code: r.name for r in obj.requirements()}
            obj._requirement_names = names
        return [
            {
                "name": names.get(item.get("code", ""), item.get("code", "")),
                "reason": SupplementReason(item["reason"]).label
                if item.get("reason") in SupplementReason.values
                else "",
                "note": item.get("note", ""),
            }
            for item in log.items or []
        ]


APPLICATION_DESK = ApplicationDesk()
