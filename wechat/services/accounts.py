"""The binding of a WeChat openid to a portal account.

Rules (issue 26): an openid signs into the one account it is bound to, and only that one; an
account has at most one openid; a staff account is never bound (nor signed in by WeChat); an
OAuth code is exchanged once.
"""

from __future__ import annotations

import hashlib
import logging

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wechatpy.exceptions import WeChatOAuthException

from core import page_cache
from core.errors import NotAllowed, ServiceError

from ..client import PortalOAuth
from ..constants import NotifyBy
from ..models import WechatBinding

logger = logging.getLogger(__name__)

CODE_SEEN_SECONDS = 600  # WeChat's codes live 5 minutes; a seen one is refused for longer

STAFF_REFUSED = _("A staff account cannot be bound to WeChat.")
OTHER_ACCOUNT = _(
    "This WeChat is bound to another account. Sign out, or unbind it from that account first."
)
ALREADY_BOUND = _(
    "Your account is already bound to another WeChat. Unbind it in your personal center first."
)
CODE_REFUSED = _("WeChat sign-in did not work. Open the portal from the account's menu again.")


def exchange_code(*, code: str, redirect_uri: str) -> str:
    """The openid for an OAuth ``code``, each code at most once (a replayed code is refused here
    before WeChat is asked, and WeChat refuses it too)."""
    digest = hashlib.sha256((code or "").encode()).hexdigest()
    if not code or not cache.add(f"wechat:oauth-code:{digest}", 1, timeout=CODE_SEEN_SECONDS):
        raise NotAllowed(CODE_REFUSED, code="code_used")
    try:
        answer = PortalOAuth(redirect_uri=redirect_uri, state="").fetch_access_token(code)
    except WeChatOAuthException as exc:
        logger.warning("WeChat OAuth code refused (%s)", exc.errcode)
        raise NotAllowed(CODE_REFUSED, code="code_refused") from exc
    except Exception as exc:  # WeChat unreachable
        logger.warning("WeChat OAuth code exchange failed: %r", exc)
        raise ServiceError(CODE_REFUSED, code="unavailable") from exc
    return answer["openid"]


def sign_in_by_openid(*, openid: str, current_user=None):
    """The account ``openid`` signs into, or None when it is not bound yet.

    Refused: a bound account that is staff or inactive, and a person signed in as another
    account than the one the openid is bound to."""
    binding = WechatBinding.objects.select_related("user").filter(openid=openid).first()
    user = binding.user if binding is not None else None
    if user is None:
        return None
    if user.is_staff or not user.is_active:
        raise NotAllowed(STAFF_REFUSED if user.is_staff else CODE_REFUSED)
    if current_user is not None and current_user.is_authenticated and current_user.pk != user.pk:
        raise NotAllowed(OTHER_ACCOUNT, code="other_account")
    return user


def bind(*, user, openid: str) -> WechatBinding:
    """Bind ``openid`` to ``user`` (proved by a password sign-in or the phone's SMS code)."""
    if user.is_staff or not user.is_active:
        raise NotAllowed(STAFF_REFUSED)
    try:
        with transaction.atomic():
            binding, _created = WechatBinding.objects.select_for_update().get_or_create(
                openid=openid
            )
            if binding.user_id == user.pk:
                return binding
            if binding.user_id is not None:
                raise NotAllowed(OTHER_ACCOUNT, code="other_account")
            if WechatBinding.objects.filter(user=user).exists():
                raise NotAllowed(ALREADY_BOUND, code="already_bound")
            binding.user = user
            binding.bound_at = timezone.now()
            binding.notify_by = NotifyBy.WECHAT
            binding.save(update_fields=["user", "bound_at", "notify_by"])
    except IntegrityError as exc:  # the account got bound meanwhile
        raise NotAllowed(ALREADY_BOUND, code="already_bound") from exc
    logger.info("WeChat bound to account %s", user.pk)
    return binding


def unbind(*, user) -> bool:
    """The account's WeChat binding ends (results go by SMS again; the follow state stays)."""
    with transaction.atomic():
        changed = WechatBinding.objects.filter(user=user).update(user=None, bound_at=None)
        if changed:
            page_cache.bump([user.pk])  # an UPDATE sends no post_save
    if changed:
        logger.info("WeChat unbound from account %s", user.pk)
    return bool(changed)


def set_notify_by(*, user, notify_by: str) -> WechatBinding:
    """WeChat, SMS or both for a bound account (the personal center)."""
    notify_by = NotifyBy(notify_by)
    binding = WechatBinding.objects.filter(user=user).first()
    if binding is None:
        raise NotAllowed(_("Bind your WeChat first."))
    binding.notify_by = notify_by
    binding.save(update_fields=["notify_by"])
    return binding


def record_follow(*, openid: str, subscribed: bool, at=None) -> WechatBinding:
    """A follow or unfollow event from the server endpoint, kept on the binding."""
    binding, _created = WechatBinding.objects.get_or_create(openid=openid)
    with transaction.atomic():
        WechatBinding.objects.filter(pk=binding.pk).update(
            subscribed=subscribed, subscription_changed_at=at or timezone.now()
        )
        page_cache.bump_for(binding)  # the personal center shows whether it follows
    binding.subscribed = subscribed
    return binding
