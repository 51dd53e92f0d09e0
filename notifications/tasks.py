from celery import shared_task


@shared_task(name="notifications.send_sms")
def send_sms(sms_id: int) -> None:
    from .sms import deliver

    deliver(sms_id)
