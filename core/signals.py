"""Every django-fsm transition of the portal is fired by ``core.fsm.run_transition()``: one
called any other way is refused before it changes anything."""

from django.dispatch import receiver
from django_fsm.signals import pre_transition

from .fsm import guard_transition


@receiver(pre_transition, dispatch_uid="portal_transitions_only_through_the_runner")
def transitions_only_through_the_runner(sender, instance, name, **kwargs):
    guard_transition(instance, name)
