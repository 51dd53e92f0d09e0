"""What every state machine in the portal shares: the append-only transition log.

A transition is a django-fsm-2 method on the model, called with the keyword arguments
``by`` (the acting user, or None for the system) and ``note``. The ``post_transition`` signal
(see ``signals.py``) writes one log row per transition, in the caller's transaction: services
wrap transition + save in ``transaction.atomic()``, so a ConcurrentTransition on save rolls the
log row back with everything else.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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


class VersionedMixin:
    """Mixed into a model with an integer ``version`` field: every save of the row adds one.

    ``run_transition()`` compares the version the caller saw with the row's under a row lock, so
    an act from a stale copy (a page loaded before someone else acted, even when the state did
    not change: two extensions of one deadline) is refused instead of writing over the other."""

    version_field = "version"

    def save(self, *args, **kwargs):
        setattr(self, self.version_field, (getattr(self, self.version_field) or 0) + 1)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and self.version_field not in update_fields:
            kwargs["update_fields"] = [*update_fields, self.version_field]
        try:
            super().save(*args, **kwargs)
        except Exception:
            setattr(self, self.version_field, getattr(self, self.version_field) - 1)
            raise


def version_of(instance) -> int | None:
    """The row version an instance was loaded with (None for a model without one)."""
    if not isinstance(instance, VersionedMixin):
        return None
    return getattr(instance, instance.version_field)


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

    if instance.pk is None or not isinstance(instance, VersionedMixin):
        return
    field = instance.version_field
    current = (
        type(instance)
        ._base_manager.select_for_update()
        .filter(pk=instance.pk)
        .values_list(field, flat=True)
        .first()
    )
    loaded = getattr(instance, field)
    seen = loaded if seen_version in (None, "") else int(seen_version)
    if current is None or current != seen or current != loaded:
        raise StaleState()


# --- firing transitions -----------------------------------------------------------------------
# The one place that reads django-fsm's metadata of a transition method (``_django_fsm``).


def _meta(instance, name: str):
    return getattr(instance, name)._django_fsm


def _state_label(instance, name: str) -> str:
    field = _meta(instance, name).field
    field_name = field if isinstance(field, str) else field.name
    display = getattr(instance, f"get_{field_name}_display", None)
    return str(display()) if display else str(getattr(instance, field_name, ""))


def holds_transition_permission(instance, name: str, user) -> bool:
    """The transition's permission for ``user`` on this row, whatever the current state."""
    return next(iter(_meta(instance, name).transitions.values())).has_perm(instance, user)


def state_allows(instance, name: str) -> bool:
    """The current state has transition ``name`` (its conditions are not asked)."""
    meta = _meta(instance, name)
    field = meta.field
    field_name = field if isinstance(field, str) else field.name
    return meta.has_transition(getattr(instance, field_name))


def check_transition(instance, name: str, user) -> None:
    """Refuse before anything is written: permission first (an outsider learns nothing about
    the state), then the state."""
    from .errors import NotAllowed, WrongState

    if not holds_transition_permission(instance, name, user):
        raise NotAllowed()
    if not state_allows(instance, name):
        raise WrongState(params={"state": _state_label(instance, name)})


def run_transition(
    instance, name: str, *, user, before=None, after=None, seen_version=None, **kwargs
):
    """Fire transition ``name`` for ``user``: permission and state checked, then, in one
    transaction, the row locked and its version compared (a ``VersionedMixin`` model: the
    ``seen_version`` the caller showed, else the version ``instance`` was loaded with; a
    mismatch is ``StaleState``), ``before``, the transition (logged by ``signals.py`` with
    ``by``/``note``), the save (version + 1) and ``after``. A refusal changes nothing and reloads
    the object; django-fsm's refusals come out as the ``core.errors`` family (``NotAllowed``,
    ``WrongState``, ``StaleState``)."""
    from django.db import IntegrityError, transaction
    from django_fsm import ConcurrentTransition, TransitionNotAllowed

    from .errors import StaleState, WrongState

    check_transition(instance, name, user)
    try:
        with transaction.atomic():
            lock_and_check_version(instance, seen_version)
            if before is not None:
                before(instance)
            getattr(instance, name)(by=user, **kwargs)
            instance.save()
            if after is not None:
                after(instance)
    except StaleState:
        instance.refresh_from_db()
        raise
    except ConcurrentTransition as exc:
        instance.refresh_from_db()
        raise StaleState() from exc
    except TransitionNotAllowed as exc:
        instance.refresh_from_db()
        raise WrongState(params={"state": _state_label(instance, name)}) from exc
    except IntegrityError as exc:  # a constraint caught a conflicting concurrent change
        instance.refresh_from_db()
        raise StaleState(code="conflict") from exc
    except Exception:
        instance.refresh_from_db()
        raise
    return instance
