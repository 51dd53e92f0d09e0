"""The account's server endpoint (issue 26, point 3): signature check in plain and AES modes,
follow/unfollow kept on the binding, a text reply pointing to the menu, WeChat's late answer on a
template message; and the menu command."""

import time

import pytest
import xmltodict
from django.core.management import call_command
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from notifications.models import SmsMessage
from notifications.services import notify
from tests.factories import UserFactory
from tests.wechat_standin import APP_ID
from wechat.constants import NoticeStatus
from wechat.models import WechatBinding, WechatNotice

from .conftest import AES_KEY, TOKEN

pytestmark = pytest.mark.django_db


def signed_query(*, timestamp=None, nonce="n0nce", token=TOKEN, **extra) -> dict:
    timestamp = str(timestamp or int(time.time()))
    signer = WeChatSigner()
    signer.add_data(token, timestamp, nonce)
    return {"signature": signer.signature, "timestamp": timestamp, "nonce": nonce, **extra}


def event_xml(openid: str, event: str = "", *, msg_type="event", **fields) -> str:
    parts = [
        "<xml>",
        "<ToUserName><![CDATA[gh_account]]></ToUserName>",
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>",
        f"<CreateTime>{int(time.time())}</CreateTime>",
        f"<MsgType><![CDATA[{msg_type}]]></MsgType>",
    ]
    if event:
        parts.append(f"<Event><![CDATA[{event}]]></Event>")
    parts += [f"<{k}><![CDATA[{v}]]></{k}>" for k, v in fields.items()]
    parts.append("</xml>")
    return "".join(parts)


def post_plain(client, xml: str, **query):
    params = signed_query(**query)
    url = "/wechat/server/?" + "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(url, data=xml, content_type="text/xml")


def test_url_check_echoes_only_with_the_right_signature(client, wechat_on):
    good = client.get("/wechat/server/", signed_query(echostr="hello-42"))
    assert good.status_code == 200 and good.content == b"hello-42"
    forged = client.get("/wechat/server/", signed_query(token="wrong", echostr="x"))
    assert forged.status_code == 400
    old = client.get("/wechat/server/", signed_query(timestamp=int(time.time()) - 3600))
    assert old.status_code == 400  # a replayed call


def test_follow_and_unfollow_are_kept_on_the_binding_plain_mode(client, wechat_on):
    person = UserFactory()
    WechatBinding.objects.create(openid="o-follow", user=person)
    reply = post_plain(client, event_xml("o-follow", "subscribe"))
    assert reply.status_code == 200
    answer = xmltodict.parse(reply.content)["xml"]
    assert answer["ToUserName"] == "o-follow" and answer["MsgType"] == "text"
    assert WechatBinding.objects.get(openid="o-follow").subscribed is True
    assert post_plain(client, event_xml("o-follow", "unsubscribe")).content == b"success"
    binding = WechatBinding.objects.get(openid="o-follow")
    assert binding.subscribed is False and binding.user == person
    # A follower who never signed in: kept, bound to nobody.
    post_plain(client, event_xml("o-new", "subscribe"))
    assert WechatBinding.objects.get(openid="o-new").user is None


def test_a_forged_post_changes_nothing(client, wechat_on):
    WechatBinding.objects.create(openid="o-forged", subscribed=True)
    assert post_plain(client, event_xml("o-forged", "unsubscribe"), token="bad").status_code == 400
    assert WechatBinding.objects.get(openid="o-forged").subscribed is True


def test_a_text_message_gets_a_reply_pointing_to_the_menu(client, wechat_on):
    reply = post_plain(client, event_xml("o-text", msg_type="text", Content="怎么办理签注"))
    content = xmltodict.parse(reply.content)["xml"]["Content"]
    assert "办事大厅" in content


def test_aes_mode_decrypts_the_event_and_encrypts_the_reply(client, wechat_on):
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    timestamp, nonce = str(int(time.time())), "aesnonce"
    encrypted = crypto.encrypt_message(event_xml("o-aes", "subscribe"), nonce, timestamp)
    msg_signature = xmltodict.parse(encrypted)["xml"]["MsgSignature"]
    params = signed_query(
        timestamp=timestamp, nonce=nonce, encrypt_type="aes", msg_signature=msg_signature
    )
    url = "/wechat/server/?" + "&".join(f"{k}={v}" for k, v in params.items())
    reply = client.post(url, data=encrypted, content_type="text/xml")
    assert reply.status_code == 200
    assert WechatBinding.objects.get(openid="o-aes").subscribed is True
    answer = xmltodict.parse(reply.content)["xml"]
    plain = crypto.decrypt_message(
        reply.content, answer["MsgSignature"], answer["TimeStamp"], answer["Nonce"]
    )
    assert "办事大厅" in xmltodict.parse(plain)["xml"]["Content"]
    # A tampered message (wrong msg_signature) is refused.
    params["msg_signature"] = "0" * 40
    url = "/wechat/server/?" + "&".join(f"{k}={v}" for k, v in params.items())
    WechatBinding.objects.all().delete()
    assert client.post(url, data=encrypted, content_type="text/xml").status_code == 400
    assert not WechatBinding.objects.exists()


@pytest.fixture
def sent_notice(wechat_on, sms_backend, django_capture_on_commit_callbacks):
    person = UserFactory()
    WechatBinding.objects.create(openid="o-late", user=person)
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(person, "application_accepted", {}, event_key="late", link="/x/")
    notice = WechatNotice.objects.get(notification=notification)
    assert notice.status == NoticeStatus.SENT
    return notice


def test_late_answer_success_marks_the_notice_delivered(client, sent_notice, sms_backend):
    xml = event_xml("o-late", "TEMPLATESENDJOBFINISH", MsgID=sent_notice.msgid, Status="success")
    assert post_plain(client, xml).content == b"success"
    sent_notice.refresh_from_db()
    assert sent_notice.status == NoticeStatus.DELIVERED
    assert sms_backend.sent == []


def test_late_answer_refused_sends_the_sms_once(
    client, sent_notice, sms_backend, django_capture_on_commit_callbacks
):
    xml = event_xml(
        "o-late", "TEMPLATESENDJOBFINISH", MsgID=sent_notice.msgid, Status="failed:user block"
    )
    with django_capture_on_commit_callbacks(execute=True):
        post_plain(client, xml)
        post_plain(client, xml, nonce="again")  # WeChat calls again: nothing more
    sent_notice.refresh_from_db()
    assert sent_notice.status == NoticeStatus.SMS_INSTEAD
    assert SmsMessage.objects.filter(notification=sent_notice.notification).count() == 1
    assert len(sms_backend.sent) == 1


def test_set_wechat_menu_sets_the_service_hall(wechat_on, settings):
    settings.SITE_URL = "https://portal.example.gov.cn"
    call_command("set_wechat_menu")
    hall, mine = wechat_on.menu["button"]
    assert hall["name"] == "办事大厅"
    assert [entry["name"] for entry in hall["sub_button"]] == [
        "居住证申领",
        "签注",
        "变更",
        "补领",
        "注销",
    ]
    assert hall["sub_button"][1]["url"] == (
        "https://portal.example.gov.cn/wechat/sign-in/"
        "?next=%2Fpermits%2Fapplications%2Fnew%2F%3Fservice%3Drenewal"
    )
    assert mine["name"] == "我的"
    assert [entry["name"] for entry in mine["sub_button"]] == ["我的事务", "个人中心"]
    assert mine["sub_button"][1]["url"].endswith("?next=%2Faccounts%2Fme%2F")


def test_the_old_one_button_menu_is_what_wechat_refuses(wechat_on):
    """Six entries under one button (the menu before): WeChat takes at most five (40023)."""
    from wechat import client

    entries = [{"type": "view", "name": str(n), "url": "https://x.example/"} for n in range(6)]
    with pytest.raises(Exception, match="40023"):
        client.get_client().menu.create({"button": [{"name": "办事大厅", "sub_button": entries}]})
    assert wechat_on.menu is None


def test_a_service_registered_later_is_in_the_menu_without_a_line_in_wechat(wechat_on):
    """The menu lists what the service registry holds: a sixth service takes the 6th place, so the
    services spill into a second button (更多服务), within WeChat's five per button."""
    from django.utils.translation import gettext_lazy

    from permits import service_types
    from permits.service_types.renewal import Renewal

    class Sixth(Renewal):
        code = "sixth"
        label = gettext_lazy("Sixth service")
        menu_label = "第六项"
        order = 60

    service_types.register(Sixth)
    try:
        call_command("set_wechat_menu")
    finally:
        service_types.unregister("sixth")
    hall, more, mine = wechat_on.menu["button"]
    assert len(hall["sub_button"]) == 5
    assert more["name"] == "更多服务"
    assert [entry["name"] for entry in more["sub_button"]] == ["第六项"]
    assert "service%3Dsixth" in more["sub_button"][0]["url"]
    assert mine["name"] == "我的"


def test_a_menu_over_wechats_limits_is_refused_before_wechat_is_asked(wechat_on, monkeypatch):
    from django.core.management.base import CommandError

    from permits.service_types.renewal import Renewal

    monkeypatch.setattr(Renewal, "menu_label", "签注" * 11)  # 66 bytes
    with pytest.raises(CommandError, match="over 60 bytes"):
        call_command("set_wechat_menu")
    assert wechat_on.menu is None


def test_set_wechat_menu_reports_a_refusal(wechat_on):
    from django.core.management.base import CommandError

    wechat_on.script(40018, path="menu")
    with pytest.raises(CommandError, match="40018"):
        call_command("set_wechat_menu")


def test_the_signatures_are_compared_in_constant_time(client, wechat_on, monkeypatch):
    """Review of issue 26: wechatpy's ``check_signature`` and ``decrypt_message`` compare with
    ``!=``; the endpoint compares both signatures (the URL's and, in AES mode, the message's)
    with Django's constant-time comparison before anything is parsed."""
    import wechat.server

    compared = []

    def spy(a, b):
        compared.append(b)
        return a == b

    monkeypatch.setattr(wechat.server, "constant_time_compare", spy)
    crypto = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    timestamp, nonce = str(int(time.time())), "ctnonce"
    encrypted = crypto.encrypt_message(event_xml("o-ct", "subscribe"), nonce, timestamp)
    msg_signature = xmltodict.parse(encrypted)["xml"]["MsgSignature"]
    params = signed_query(
        timestamp=timestamp, nonce=nonce, encrypt_type="aes", msg_signature=msg_signature
    )
    url = "/wechat/server/?" + "&".join(f"{k}={v}" for k, v in params.items())
    assert client.post(url, data=encrypted, content_type="text/xml").status_code == 200
    assert params["signature"] in compared and msg_signature in compared
    # a forged message signature is refused by that comparison, before wechatpy decrypts
    compared.clear()
    params["msg_signature"] = "0" * 40
    url = "/wechat/server/?" + "&".join(f"{k}={v}" for k, v in params.items())
    assert client.post(url, data=encrypted, content_type="text/xml").status_code == 400
    assert "0" * 40 in compared
