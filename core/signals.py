from django.dispatch import receiver
from django_fsm.signals import post_transition

from .fsm import TransitionLoggedMixin


@receiver(post_transition, dispatch_uid="portal_record_every_transition")
def record_every_transition(sender, instance, name, source, target, **kwargs):
    if not isinstance(instance, TransitionLoggedMixin) or kwargs.get("exception"):
        return
    method_kwargs = kwargs.get("method_kwargs") or {}
    instance.record_transition(
        name=name,
        source=source,
        target=target,
        by=method_kwargs.get("by"),
        note=method_kwargs.get("note", ""),
        extra=getattr(instance, "_transition_log_extra", None),
    )
    instance._transition_log_extra = None
