import datetime

import pytest

from notifications.constants import NotificationKind
from notifications.services import render_message

FULL_CONTEXT = {
    "name": "Li Lei",
    "reference": "HK-2026-000123",
    "service": "new permit",
    "reason": "Photo is blurred",
    "items": ["Lease contract", "Labour contract"],
    "deadline": datetime.date(2026, 12, 1),
    "valid_until": datetime.date(2027, 1, 5),
    "code": "123456",
    "station": "Xiuying Station",
    "tracking_number": "SF1234567",
}


@pytest.mark.parametrize("kind", NotificationKind.values)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_kind_renders_with_full_and_empty_context(kind, language):
    for context in (FULL_CONTEXT, {}):
        title, body, sms = render_message(kind=kind, context=context, language=language)
        assert title and body and sms
        assert "\n" not in title and "\n" not in sms
        assert " ." not in sms and "  " not in sms


@pytest.mark.parametrize("kind", NotificationKind.values)
def test_every_body_documents_its_context(kind):
    from pathlib import Path

    import notifications

    path = Path(notifications.__file__).parent / f"templates/notifications/kinds/{kind}/body.txt"
    assert path.read_text().startswith("{# Context:")


def test_phone_code_sms_contains_the_code():
    _, _, sms = render_message(kind="phone_code", context={"code": "654321"}, language="en")
    assert "654321" in sms


def test_sms_is_short_and_carries_no_id_number_or_link():
    context = {**FULL_CONTEXT, "id_number": "11010519491231002X", "link": "/secret/abc"}
    for kind in NotificationKind.values:
        _, _, sms = render_message(kind=kind, context=context, language="en")
        assert "11010519491231002X" not in sms
        assert "http" not in sms and "/secret" not in sms
        assert len(sms) <= 160


def test_context_values_are_not_html_escaped_in_stored_text():
    _, body, _ = render_message(
        kind="identity_rejected", context={"reason": "O'Brien <x> & y"}, language="en"
    )
    assert "O'Brien <x> & y" in body


def test_supplement_lists_every_missing_item_in_one_notice():
    _, body, _ = render_message(kind="supplement_requested", context=FULL_CONTEXT, language="en")
    assert "- Lease contract" in body and "- Labour contract" in body


def test_english_and_chinese_rendering_contain_the_context_values():
    en = render_message(kind="certificate_produced", context=FULL_CONTEXT, language="en")
    zh = render_message(kind="certificate_produced", context=FULL_CONTEXT, language="zh-hans")
    assert "Certificate produced" in en[0]
    assert "window pickup" in en[2]
    for text in (en[1], zh[1]):
        assert "HK-2026-000123" in text and "Xiuying Station" in text
    assert "HK-2026-000123" in zh[2]


def test_dates_may_be_given_as_text_and_items_as_one_string():
    _, body, sms = render_message(
        kind="supplement_requested",
        context={"deadline": "2026-12-01", "items": "Lease contract"},
        language="en",
    )
    assert "by 2026-12-01." in body
    assert "- Lease contract" in body
    _, _, sms = render_message(
        kind="endorsement_due", context={"valid_until": "2027-01-05"}, language="en"
    )
    assert "2027-01-05" in sms
