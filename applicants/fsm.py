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
