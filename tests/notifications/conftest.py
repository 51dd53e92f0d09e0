import pytest

from notifications.backends import PermanentSmsError, TransientSmsError


class ScriptedBackend:
    """An SMS backend answering from a script: "ok", "transient", "permanent" or an exception."""

    def __init__(self, script=None):
        self.script = list(script or [])
        self.sent = []
        self.calls = 0

    def send(self, *, to, body):
        self.calls += 1
        step = self.script.pop(0) if self.script else "ok"
        if step == "transient":
            raise TransientSmsError("HTTP 503", code="503")
        if step == "permanent":
            raise PermanentSmsError("invalid To", code="21211")
        if isinstance(step, BaseException):
            raise step
        self.sent.append((to, body))
        return f"SM{len(self.sent):032d}"


@pytest.fixture
def sms_backend(monkeypatch, settings):
    """Every send in the test goes to one ScriptedBackend; retries wait no time."""
    settings.SMS_RETRY_BASE_SECONDS = 0
    backend = ScriptedBackend()
    monkeypatch.setattr("notifications.sms.get_backend", lambda: backend)
    return backend
