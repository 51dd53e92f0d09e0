"""Issue 15, point 7: no half-translated text. Whole labels translated ("本人（王测试）"),
"您" in Django's password hints, full-width punctuation on Chinese pages and SMS, the SMS
signature from ``SMS_SIGNATURE`` on every SMS, My Affairs titles in the page's language."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from applicants.services.phone_codes import deliver_phone_code
from notifications.models import Notification, SmsMessage
from notifications.services import notify
from tests.factories import UserFactory
from tests.permits.factories import ApplicationFactory
from tests.permits.helpers import draft_ready
from tests.permits.views.helpers import login, registered_person, text, url
from tests.service_codes import Service

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
ASCII_END = re.compile(r"[\u4e00-\u9fff\u3000-\u303f\uff01-\uff60]\s?[.:](?![\d/])")


def visible_text(response) -> str:
    html = text(response)
    html = re.sub(r"(?s)<(script|style|head)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_person_choice_is_translated_whole(client):
    person = registered_person(months=7)
    login(client, person)

    page = visible_text(client.get(url("registration_new"), **ZH))

    assert f"本人（{person.full_name}）" in page
    assert "myself" not in page


def test_password_hints_say_nin_and_follow_the_page_language(client):
    page = text(client.get(reverse("applicants:signup_confirm"), **ZH))
    english = text(client.get(reverse("applicants:signup_confirm"), HTTP_ACCEPT_LANGUAGE="en"))

    assert "您的密码" in page
    assert "你" not in page
    assert "Your password can’t be entirely numeric." in english
    assert "&lt;" not in page  # the hint list is HTML, not escaped


@pytest.mark.parametrize("where", ["delivery", "delivery_window", "detail"])
def test_pickup_pages_end_chinese_sentences_with_full_width_marks(client, where):
    application = ApplicationFactory(produced=True)
    if where == "detail":
        application = ApplicationFactory(awaiting_pickup=True, pickup_code="PK123")
    login(client, application.filed_by)
    name = {"delivery": "application_delivery", "delivery_window": "application_delivery_window"}
    page_url = url(name.get(where, "application_detail"), application.pk)
    page = visible_text(client.get(page_url, **ZH))

    assert not ASCII_END.findall(page), ASCII_END.findall(page)
    assert "携带" in page


def test_a_supplement_item_and_its_reason_use_a_full_width_colon(client):
    application = ApplicationFactory(supplement_requested=True)
    login(client, application.filed_by)

    page = visible_text(client.get(url("application_detail", application.pk), **ZH))

    assert not ASCII_END.findall(page), ASCII_END.findall(page)


def test_every_sms_is_signed_and_has_no_blank_after_full_width_marks(settings):
    user = UserFactory(language="zh-hans")
    application = ApplicationFactory(submitted=True, filed_by=user)
    context = {"reference": application.reference, "items": ["租赁合同"]}
    notify(user, "supplement_requested", context)

    body = SmsMessage.objects.get(recipient_phone=user.phone).body

    assert body.startswith("【市公安局】")
    assert not re.search(r"[。，：；】]\s", body), body


def test_the_already_registered_sms_carries_the_configured_signature(settings):
    settings.SMS_SIGNATURE = "海口市公安局"
    user = UserFactory()

    deliver_phone_code(phone=user.phone, purpose="sign_up", language="zh-hans", request_id="r1")

    body = SmsMessage.objects.get(recipient_phone=user.phone).body
    assert body.startswith("【海口市公安局】")
    assert body.count("【") == 1


def test_a_code_sms_is_signed_once(settings):
    deliver_phone_code(phone="+8613800000777", purpose="sign_up", language="en", request_id="r2")

    body = SmsMessage.objects.get(recipient_phone="+8613800000777").body
    assert body.startswith("【市公安局】Your verification code")


def test_my_affairs_titles_follow_the_page_language(client):
    user = UserFactory(language="zh-hans")
    with translation.override("zh-hans"):
        notify(user, "application_submitted", {"reference": "HK2026-000001"})
    assert Notification.objects.get(recipient=user).title == "申请已提交"
    client.force_login(user)

    inbox = text(client.get(reverse("notifications:inbox"), HTTP_ACCEPT_LANGUAGE="en"))
    entry = Notification.objects.get(recipient=user)
    detail_url = reverse("notifications:detail", args=[entry.pk])
    detail = text(client.get(detail_url, HTTP_ACCEPT_LANGUAGE="en"))

    assert "Application submitted" in inbox and "申请已提交" not in inbox
    assert "Application submitted" in detail


def test_the_check_page_names_the_answers(client):
    person = registered_person(months=7)
    application = draft_ready(person, Service.NEW, answers={"household_region": "110101"})
    login(client, person)

    page = visible_text(client.get(url("application_check", application.pk), **ZH))

    assert "household_region" not in page
    assert "户籍所在地行政区划代码" in page
