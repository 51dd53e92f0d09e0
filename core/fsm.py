"""What every state machine of the portal (identity, registration, permit, application) shares.

* A transition is a django-fsm-2 method on the model (its state field ``protected=True``),
  called with ``by`` (the acting user, or None for the system), ``note`` and its own keywords.
* ``run_transition()`` is the one way to fire one: the permission, the state, then in one
  transaction (a savepoint inside another act's) the row lock and version check, the
  transition, the save and the history row, written by the runner itself. It is the only
  reader of django-fsm's private metadata (``_django_fsm``).
* A transition method called any other way raises ``TransitionOutsideRunner``: ``signals.py``
  connects ``guard_transition`` to django-fsm's ``pre_transition``.
* ``TransitionLogBase`` is the append-only history (who, when, from, to, note);
  ``TransitionLoggedMixin`` names a model's log. Set-based daily jobs (suspension of overdue
  permits, deemed acceptance) are the one exception to the runner: one UPDATE, and the same log
  rows written in bulk by SQL, and the accounts' page generations bumped by the same statement.
* Every transition bumps the page generation of the accounts its row concerns
  (``core.page_cache``: a person's cached pages are never served stale).
* ``VersionedModel`` declares the ``version`` counter once (every save adds one) for the
  machines acted on from pages that may be stale (identity, registration, application).
"""

from contextvars import ContextVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin


class TransitionLogBase(models.Model):
    """Append-only: who, when, from, to, note. Concrete logs add the FK to their subject."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    transition = models.CharField(_("transition"), max_length=50)
    from_state = models.CharField(_("from"), max_length=30)
    to_state = models.CharField(_("to"), max_length=30)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.pop("_allow_update", False):
            raise ValueError("Transition log rows are append-only.")
        super().save(*args, **kwargs)


class TransitionLoggedMixin:
    """Mixed into an FSM model: names its log model and the FK field pointing back to it."""

    transition_log_model: str = ""  # "app_label.ModelName"
    transition_log_fk: str = ""

    def record_transition(self, *, name, source, target, by=None, note="", extra=None):
        """One history row. ``run_transition()`` writes it for every transition; a service
        writes it itself for the creation of a row (a permit issued, a registration filed),
        which is no transition. ``extra``: the log model's further columns."""
        from django.apps import apps

        model = apps.get_model(self.transition_log_model)
        fields = {
            self.transition_log_fk: self,
            "actor": by if getattr(by, "pk", None) else None,
            "transition": name,
            "from_state": source,
            "to_state": target,
            "note": note or "",
        }
        fields.update(extra or {})
        return model.objects.create(**fields)


class VersionedModel(ConcurrentTransitionMixin, models.Model):
    """The abstract base of every versioned state machine (identity, registration, application):
    it declares ``version`` once, and every save of the row adds one.

    It is a ``ConcurrentTransitionMixin`` itself, so django-fsm's mixins come before
    ``models.Model`` in every model's MRO: listed after a ``models.Model`` subclass, the mixin's
    ``refresh_from_db`` (which lifts the protection of the state field while it reloads) would
    never run and every reload would fail with "Direct state modification is not allowed".

    ``run_transition()`` compares the version the caller saw with the row's under a row lock, so
    an act from a stale copy (a page loaded before someone else acted, even when the state did
    not change: two extensions of one deadline) is refused instead of writing over the other."""

    version = models.PositiveIntegerField(
        _("version"),
        default=0,
        editable=False,
        help_text=_("Counts the saves of this row; an act from an older version is refused."),
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.version = (self.version or 0) + 1
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "version" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "version"]
        try:
            super().save(*args, **kwargs)
        except Exception:
            self.version -= 1
            raise


def version_of(instance) -> int | None:
    """The row version an instance was loaded with (None for a model without one)."""
    if not isinstance(instance, VersionedModel):
        return None
    return instance.version


def check_version(instance, seen) -> None:
    """Refuse (StaleState) when a caller's ``seen`` version (from a form or an API call) is
    not the version of ``instance``; ``None``/blank means the caller did not send one."""
    from .errors import StaleState

    if seen in (None, ""):
        return
    current = version_of(instance)
    try:
        seen = int(seen)
    except (TypeError, ValueError):
        raise StaleState() from None
    if current is not None and seen != current:
        raise StaleState()


def lock_and_check_version(instance, seen_version=None) -> None:
    """Inside the transaction: lock the row (SELECT … FOR UPDATE) and refuse if its version is
    not the one the caller saw (``seen_version``, else the version ``instance`` was loaded
    with). A concurrent act waits for the lock, then finds the version moved on."""
    from .errors import StaleState

    if instance.pk is None or not isinstance(instance, VersionedModel):
        return
    current = (
        type(instance)
        ._base_manager.select_for_update()
        .filter(pk=instance.pk)
        .values_list("version", flat=True)
        .first()
    )
    loaded = instance.version
    seen = loaded if seen_version in (None, "") else int(seen_version)
    if current is None or current != seen or current != loaded:
        raise StaleState()


# --- firing transitions -----------------------------------------------------------------------
# The one place that reads django-fsm's metadata of a transition method (``_django_fsm``).


def _meta(instance, name: str):
    return getattr(instance, name)._django_fsm


def _state_field_name(instance, name: str) -> str:
    field = _meta(instance, name).field
    return field if isinstance(field, str) else field.name


def _state_label(instance, name: str) -> str:
    field_name = _state_field_name(instance, name)
    display = getattr(instance, f"get_{field_name}_display", None)
    return str(display()) if display else str(getattr(instance, field_name, ""))


def holds_transition_permission(instance, name: str, user) -> bool:
    """The transition's permission for ``user`` on this row, whatever the current state."""
    return next(iter(_meta(instance, name).transitions.values())).has_perm(instance, user)


def state_allows(instance, name: str) -> bool:
    """The current state has transition ``name`` (its conditions are not asked)."""
    state = getattr(instance, _state_field_name(instance, name))
    return _meta(instance, name).has_transition(state)


def check_transition(instance, name: str, user) -> None:
    """Refuse before anything is written: permission first (an outsider learns nothing about
    the state), then the state."""
    from .errors import NotAllowed, WrongState

    if not holds_transition_permission(instance, name, user):
        raise NotAllowed()
    if not state_allows(instance, name):
        raise WrongState(params={"state": _state_label(instance, name)})


class TransitionOutsideRunner(RuntimeError):
    """A transition method was called directly instead of through ``run_transition()``."""


# (id of the instance, transition name) while run_transition() fires exactly that transition;
# ``signals.py`` refuses every other transition (``guard_transition``).
_RUNNING: ContextVar[tuple[int, str] | None] = ContextVar("portal_fsm_running", default=None)


def guard_transition(instance, name: str) -> None:
    """Raise ``TransitionOutsideRunner`` unless ``run_transition()`` is firing ``name`` on this
    very object (connected to django-fsm's ``pre_transition``: nothing has changed yet)."""
    if _RUNNING.get() != (id(instance), name):
        raise TransitionOutsideRunner(
            f"{type(instance).__name__}.{name}() is fired through core.fsm.run_transition()."
        )


def _forget_unsaved(instance, snapshot) -> None:
    """A row first saved inside a transaction that rolled back does not exist: the object is
    made unsaved again (no primary key, its version and state as they were)."""
    instance.pk = None
    instance._state.adding = True
    instance._state.db = None
    for attname, value in snapshot.items():
        instance.__dict__[attname] = value  # the state field is protected against setattr
    if hasattr(instance, "_update_initial_state"):
        instance._update_initial_state()  # django-fsm's ConcurrentTransitionMixin


def run_transition(
    instance,
    name: str,
    *,
    user,
    before=None,
    after=None,
    seen_version=None,
    check_permission: bool = True,
    log_extra: dict | None = None,
    wrong_state=None,
    conflict=None,
    **kwargs,
):
    """Fire transition ``name`` of ``instance`` for ``user`` (the acting user; None is the
    system), the one way any state machine of the portal changes state.

    1. Before anything is written: the transition's permission for ``user`` (unless
       ``check_permission=False``: the caller has checked a stricter one, or the system acts),
       then whether the current state has the transition (else ``wrong_state``, a ServiceError
       the caller words, or the generic ``WrongState``).
    2. In one transaction (a savepoint when called inside another act's transaction, as a
       permit's transition inside an application's act): the row locked and its version compared
       (a ``VersionedModel``: the ``seen_version`` the caller showed, else the version
       ``instance`` was loaded with; a mismatch is ``StaleState``), ``before(instance)`` (it may
       save a new row first), the transition method called with ``by=user`` and ``kwargs``, the
       save (version + 1), the history row (``TransitionLoggedMixin.record_transition``: actor,
       from, to, ``note`` from ``kwargs``, plus the ``log_extra`` columns), ``after(instance)``,
       then the page generation of the accounts the row concerns (``core.page_cache``).

    A refusal changes nothing and reloads the object (an object first saved by ``before`` is
    made unsaved again). django-fsm's refusals come out as the ``core.errors`` family:
    ``TransitionNotAllowed`` (a condition not met) as ``wrong_state`` / ``WrongState``,
    ``ConcurrentTransition`` as ``StaleState``, an ``IntegrityError`` (a constraint caught a
    conflicting change) as ``conflict``, else ``StaleState(code="conflict")``."""
    from django.db import IntegrityError, transaction
    from django_fsm import ConcurrentTransition, TransitionNotAllowed

    from . import page_cache
    from .errors import NotAllowed, StaleState, WrongState

    def state_refusal():
        return wrong_state or WrongState(params={"state": _state_label(instance, name)})

    if check_permission and not holds_transition_permission(instance, name, user):
        raise NotAllowed()
    if not state_allows(instance, name):
        raise state_refusal()
    field_name = _state_field_name(instance, name)
    unsaved = None
    if instance.pk is None:
        unsaved = {
            attname: instance.__dict__.get(attname)
            for attname in (field_name, "version")
            if attname in instance.__dict__
        }
    try:
        with transaction.atomic():
            lock_and_check_version(instance, seen_version)
            if before is not None:
                before(instance)
            source = getattr(instance, field_name)
            token = _RUNNING.set((id(instance), name))
            try:
                getattr(instance, name)(by=user, **kwargs)
            finally:
                _RUNNING.reset(token)
            with page_cache.runner_save(instance):  # bumped once, below
                instance.save()
            instance.record_transition(
                name=name,
                source=source,
                target=getattr(instance, field_name),
                by=user,
                note=kwargs.get("note", ""),
                extra=log_extra,
            )
            if after is not None:
                after(instance)
            # the accounts the row concerns see the new state on their next page (issue 29);
            # last, so the accounts' rows are locked after the case's, for the shortest time
            page_cache.bump_for(instance)
    except Exception as exc:
        if unsaved is not None:
            _forget_unsaved(instance, unsaved)
        else:
            instance.refresh_from_db()
        if isinstance(exc, ConcurrentTransition):
            raise StaleState() from exc
        if isinstance(exc, TransitionNotAllowed):
            raise state_refusal() from exc
        if isinstance(exc, IntegrityError):
            raise (conflict or StaleState(code="conflict")) from exc
        raise
    return instance
