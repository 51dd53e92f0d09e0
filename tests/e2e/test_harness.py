"""The harness itself: axe-core finds and explains violations, the SMS helper reads codes."""

import pytest

from notifications.models import SmsMessage
from tests.e2e.helpers import assert_accessible, axe_violations, latest_sms, sms_code

BAD_PAGE = """<!doctype html><html><head><title>bad</title></head><body>
<main><h1>Bad page</h1>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<p style="color:#ccc;background:#fff">Low contrast text</p>
<form><input type="text" name="phone"></form></main></body></html>"""


@pytest.mark.e2e
def test_axe_reports_serious_violations_readably(browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(BAD_PAGE)
        found = {v["id"] for v in axe_violations(page)}
        assert {"image-alt", "label", "color-contrast", "html-has-lang"} <= found
        with pytest.raises(AssertionError) as excinfo:
            assert_accessible(page, "the bad page")
        message = str(excinfo.value)
        assert "on the bad page" in message
        assert "[critical] image-alt" in message
        assert "<img" in message  # the offending element is shown
    finally:
        context.close()


@pytest.mark.django_db
def test_sms_helpers_read_the_newest_message_for_a_phone():
    SmsMessage.objects.create(
        recipient_phone="+8613800138000", body="验证码 111111", idempotency_key="a"
    )
    SmsMessage.objects.create(
        recipient_phone="+8613800138000",
        body="您的验证码是 654321，10 分钟内有效。",
        idempotency_key="b",
    )
    SmsMessage.objects.create(recipient_phone="+8613900000000", body="999999", idempotency_key="c")
    assert latest_sms("13800138000").startswith("您的验证码")
    assert sms_code("+86 138 0013 8000") == "654321"
    assert latest_sms("13700000000") is None
