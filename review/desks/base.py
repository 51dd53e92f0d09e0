"""A state machine's act table, and what its desk page and the staff API both read from it.

``Desk`` is one machine's table (``acts``: every act the police side does on it, each with its
admin form, its service call and, when the API offers it, its endpoint) and the rules that do
not depend on where the act comes from: who may do which act on which row, the version the
officer saw, the history. It knows no URL and no admin: ``review.desks.admin.DeskAdminMixin``
wires a table into a model admin (its URLs, act views and page context) and
``review.api.staff`` generates its act endpoints from the same table.

Every act form carries the version of the row the officer saw (``Desk.version_of``: the row's
``version`` counter); if the row changed in the meantime (someone else acted, or saved it) the
act is refused with the desk's "reload" message and nothing is applied, and the service's
``run_transition`` compares the version again under a row lock. The act itself calls the app's
service, which checks the role, the station and the state again, notifies and writes the
transition log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed, has_transition_perm

from core.errors import NotAllowed
from core.fsm import holds_transition_permission
from core.fsm import version_of as fsm_version_of


@dataclass(frozen=True)
class Endpoint:
    """An act offered over the staff API: ``POST <object>/<path>/`` with ``input`` (a
    serializer with ``service_kwargs()``, as the act's form has), described by ``doc``."""

    path: str
    input: type
    doc: str

    @property
    def view_name(self) -> str:
        """The generated view's class name ("old-card-received": ``OldCardReceivedView``)."""
        return "".join(part.capitalize() for part in self.path.split("-")) + "View"


@dataclass(frozen=True)
class Act:
    name: str  # the transition method on the model, and the URL part
    label: str
    done: str
    form_class: type
    run: Callable[..., object]  # run(user, obj, **input.service_kwargs()): calls the service
    danger: bool = False
    api: Endpoint | None = None


def refusal_text(exc: Exception) -> str:
    """One line for the officer, whichever family the service raised."""
    if isinstance(exc, ValidationError):
        return " ".join(str(m) for m in exc.messages)
    if isinstance(exc, PermissionDenied):
        return str(NotAllowed())
    return str(exc)


class Desk:
    """A state machine's act table. Subclasses set the model and the acts."""

    model = None
    acts: dict[str, Act] = {}
    state_field = "state"
    stale_message = _(
        "This item changed since you opened it (someone else acted on it). Nothing was "
        "applied: reload it and check before acting again."
    )
    not_now_message = _("“%(act)s” is not possible while it is “%(state)s”.")

    def version_of(self, obj) -> str:
        """What the officer saw: the row's version (``core.fsm.VersionedModel``: every save adds
        one, so an act that leaves the state as it was, an extension say, changes it too).
        ``run_transition`` compares it again under a row lock, so two officers posting the same
        version at the same moment cannot both act."""
        return str(fsm_version_of(obj))

    def may_act(self, obj, act: Act, user) -> bool:
        """The act's permission for this user on this row, whatever the state."""
        return holds_transition_permission(obj, act.name, user)

    def allowed_acts(self, obj, user) -> list[Act]:
        """The acts this user may do on this row now: the transition is possible from the
        state with its conditions and the user holds its permission."""
        acts = []
        for act in self.acts.values():
            bound = getattr(obj, act.name)
            if (
                can_proceed(bound)
                and has_transition_perm(bound, user)
                and self.may_act(obj, act, user)
            ):
                acts.append(act)
        return acts

    def api_acts(self) -> list[Act]:
        """The acts offered over the staff API, in the table's order."""
        return [act for act in self.acts.values() if act.api is not None]

    def form_kwargs(self, obj) -> dict:
        return {"obj": obj}

    def state_labels(self, obj) -> dict:
        field = obj._meta.get_field(self.state_field)
        return {str(value): label for value, label in field.flatchoices}

    def state_label(self, obj) -> str:
        state = getattr(obj, self.state_field)
        return self.state_labels(obj).get(str(state), state)

    def log_items(self, obj, log) -> list[dict]:
        """Details a log row carries beyond its note (the one-time notice's items)."""
        return []

    def history(self, obj) -> list[dict]:
        """The transition log, states by their translated labels, times in local time."""
        labels = self.state_labels(obj)
        rows = []
        for log in obj.transitions.select_related("actor").order_by("created_at", "pk"):
            rows.append(
                {
                    "log": log,
                    "time": timezone.localtime(log.created_at),
                    "from": labels.get(log.from_state, log.from_state) if log.from_state else "",
                    "to": labels.get(log.to_state, log.to_state),
                    "actor": ((log.actor.display_name or str(log.actor)) if log.actor_id else ""),
                    "note": log.note,
                    "items": self.log_items(obj, log),
                }
            )
        return rows
