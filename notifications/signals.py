"""The cached unread count (``notifications.selectors.unread_count``) is forgotten whenever a
notification is saved or deleted, whoever writes it (services, the admin, a cascade)."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Notification
from .selectors import forget_unread_count


@receiver(post_save, sender=Notification, dispatch_uid="notifications-unread-saved")
@receiver(post_delete, sender=Notification, dispatch_uid="notifications-unread-deleted")
def _forget_unread_count(sender, instance, **kwargs):
    forget_unread_count(instance.recipient_id)
