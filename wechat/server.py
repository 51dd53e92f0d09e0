"""The account's server endpoint (the URL WeChat calls): signature check, plain and AES modes.

- GET (WeChat checks the URL): ``signature`` over token, timestamp, nonce; echo ``echostr``.
- POST: plain mode, the same signature; AES ("safe") mode (``encrypt_type=aes``), the message's
  ``msg_signature`` and the body decrypted with WECHAT_AES_KEY (wechatpy's WeChatCrypto, which
  needs ``cryptography``), the reply encrypted the same way.
- Follow/unfollow events are kept on the binding; a template job's result reconciles its notice;
  a text message gets a reply pointing to the menu; anything else gets "success" (no reply).
A signature more than ``MAX_SKEW_SECONDS`` old is refused (a replayed call).
"""

from __future__ import annotations

import logging
import time

import xmltodict
from django.conf import settings
from django.utils import translation
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.replies import TextReply
from wechatpy.utils import WeChatSigner

from . import services

logger = logging.getLogger(__name__)

MAX_SKEW_SECONDS = 300


class BadSignature(Exception):
    pass


def _signature_matches(given: str, *parts: str) -> bool:
    """WeChat's SHA-1 signature over ``parts`` (sorted, as wechatpy's ``WeChatSigner``), compared
    in constant time (wechatpy's own ``check_signature`` and ``decrypt_message`` use ``!=``)."""
    signer = WeChatSigner()
    signer.add_data(*parts)
    return constant_time_compare(signer.signature, given or "")


def _check_time(timestamp: str) -> None:
    try:
        skew = abs(time.time() - int(timestamp))
    except (TypeError, ValueError) as exc:
        raise BadSignature from exc
    if skew > MAX_SKEW_SECONDS:
        raise BadSignature


def handle(request) -> str:
    query = request.GET
    timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
    _check_time(timestamp)
    aes = query.get("encrypt_type") == "aes"
    if not _signature_matches(query.get("signature", ""), settings.WECHAT_TOKEN, timestamp, nonce):
        raise BadSignature
    if request.method == "GET":
        return query.get("echostr", "")
    body = request.body
    crypto = None
    if aes:
        if not settings.WECHAT_AES_KEY:
            raise BadSignature
        crypto = WeChatCrypto(
            settings.WECHAT_TOKEN, settings.WECHAT_AES_KEY, settings.WECHAT_APP_ID
        )
        msg_signature = query.get("msg_signature", "")
        try:
            encrypt = xmltodict.parse(body)["xml"]["Encrypt"]
        except Exception as exc:  # not WeChat's envelope
            raise BadSignature from exc
        if not isinstance(encrypt, str) or not _signature_matches(
            msg_signature, settings.WECHAT_TOKEN, timestamp, nonce, encrypt
        ):
            raise BadSignature
        try:
            body = crypto.decrypt_message(body, msg_signature, timestamp, nonce)
        except (InvalidSignatureException, InvalidAppIdException) as exc:
            raise BadSignature from exc
    message = parse_message(body)
    reply = _answer(message)
    if reply is None:
        return "success"
    xml = reply.render()
    return crypto.encrypt_message(xml, nonce, timestamp) if crypto else xml


def _answer(message):
    kind = getattr(message, "event", None) or message.type
    if kind in ("subscribe", "subscribe_scan"):
        services.record_follow(openid=message.source, subscribed=True)
        return _menu_reply(message)
    if kind == "unsubscribe":
        services.record_follow(openid=message.source, subscribed=False)
        return None
    if kind == "templatesendjobfinish":
        services.reconcile_job_finished(msgid=str(message.id), status=message.status)
        return None
    if kind == "text":
        return _menu_reply(message)
    return None


def _menu_reply(message) -> TextReply:
    with translation.override(settings.LANGUAGE_CODE):
        text = _(
            "Welcome. Open “Service hall” in the menu below to apply for, endorse, change, "
            "replace or cancel a residence permit, and “My affairs” to follow your cases. "
            "Results of your cases come here as notices."
        )
    return TextReply(content=text, message=message)
