"""Deployment checks (``manage.py check --deploy``): production must really send SMS."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def sms_backend_sends(app_configs, **kwargs):
    backend = settings.SMS_BACKEND
    if backend == "console":
        return [
            Warning(
                "SMS_BACKEND is 'console': SMS (sign-up codes included) are printed to the "
                "process output, not sent.",
                hint="Set SMS_BACKEND=twilio with TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
                "TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID.",
                id="notifications.W001",
            )
        ]
    if backend == "twilio":
        missing = [
            name
            for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN")
            if not getattr(settings, name, "")
        ]
        if not (settings.TWILIO_FROM or settings.TWILIO_MESSAGING_SERVICE_SID):
            missing.append("TWILIO_FROM or TWILIO_MESSAGING_SERVICE_SID")
        if missing:
            return [
                Error(
                    f"SMS_BACKEND is 'twilio' but {', '.join(missing)} is not set.",
                    id="notifications.E001",
                )
            ]
    return []
