"""Services of the WeChat channel: the binding (sign-in, bind, unbind, follow events, the
preference) and the notices (send, refusals answered by SMS, WeChat's late answer)."""

from .accounts import (
    bind,
    exchange_code,
    record_follow,
    set_notify_by,
    sign_in_by_openid,
    unbind,
)
from .notices import deliver, reconcile_job_finished

__all__ = [
    "bind",
    "deliver",
    "exchange_code",
    "reconcile_job_finished",
    "record_follow",
    "set_notify_by",
    "sign_in_by_openid",
    "unbind",
]
