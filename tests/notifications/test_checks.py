from notifications.checks import sms_backend_sends


def test_deploy_check_warns_that_console_sms_are_not_sent(settings):
    settings.SMS_BACKEND = "console"
    assert [m.id for m in sms_backend_sends(None)] == ["notifications.W001"]


def test_deploy_check_names_missing_twilio_settings(settings):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = "AC123"
    settings.TWILIO_AUTH_TOKEN = ""
    settings.TWILIO_FROM = ""
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    (error,) = sms_backend_sends(None)
    assert error.id == "notifications.E001"
    assert "TWILIO_AUTH_TOKEN" in error.msg and "TWILIO_FROM" in error.msg


def test_deploy_check_passes_a_configured_twilio(settings):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = "AC123"
    settings.TWILIO_AUTH_TOKEN = "token"
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG123"
    assert sms_backend_sends(None) == []
