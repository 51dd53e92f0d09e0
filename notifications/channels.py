"""Ways out besides SMS (issue 26: WeChat), plugged into ``notify()`` without notifications
importing them.

An app registers a channel at ready (``register``). For every event ``notify()`` asks each
channel ``route(user) -> (by_channel, sms_too)``: a channel that takes the event writes its own
delivery row in the event's transaction (``create(notification, sms_text=...)``, returning the
row's pk or None) and sends it after commit (``enqueue(pk)``). The SMS goes when no channel took
the event or one that did says ``sms_too``. A channel that is refused later sends the SMS once
through ``services.send_notification_sms`` (same idempotency key: never two SMS for one event).
"""

from typing import Protocol


class Channel(Protocol):
    code: str

    def route(self, user) -> tuple[bool, bool]: ...

    def create(self, notification, *, sms_text: str, at_any_hour: bool | None = None): ...

    def enqueue(self, pk) -> None: ...


_channels: dict[str, Channel] = {}


def register(channel: Channel) -> None:
    _channels[channel.code] = channel


def registered() -> list[Channel]:
    return list(_channels.values())
