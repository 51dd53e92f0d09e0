"""Acceptance 4: the one-time notice (一次性告知, seed 001). A further request may only flag items
re-uploaded since the last one; the applicant re-uploads only the flagged items."""

import pytest

from core.errors import InvalidInput, RuleRefused, WrongState
from permits.constants import ApplicationState
from permits.models import Material
from permits.services import applications as svc
from tests.factories import PASSWORD
from tests.permits.helpers import kinds, png, registered_person, staff_for, submitted
from tests.service_codes import Service

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    person = registered_person(months=8)
    staff = staff_for(person.registrations.get().station)
    return submitted(person, Service.NEW), staff["officer"]


def test_first_request_lists_every_item_with_its_reason(case):
    app, officer = case
    items = [
        {"code": "photo", "reason": "unclear", "note": "照片模糊"},
        {"code": "residence_proof", "reason": "expired"},
    ]
    svc.request_supplement(user=officer, application=app, items=items, note="请一并补充")
    assert app.state == ApplicationState.SUPPLEMENT_REQUESTED
    log = app.transitions.last()
    assert [i["code"] for i in log.items] == ["photo", "residence_proof"]
    assert log.items[0]["note"] == "照片模糊"
    assert kinds(app.filed_by)[-1] == "supplement_requested"
    body = app.filed_by.notifications.first().body
    assert "照片模糊" in body


def test_reasons_are_required(case):
    app, officer = case
    with pytest.raises(InvalidInput):
        svc.request_supplement(user=officer, application=app, items=[{"code": "photo"}])
    with pytest.raises(InvalidInput):
        svc.request_supplement(
            user=officer, application=app, items=[{"code": "photo", "reason": "other"}]
        )
    with pytest.raises(RuleRefused) as exc:
        svc.request_supplement(user=officer, application=app, items=[])
    assert exc.value.code == "empty_supplement"
    assert app.state == ApplicationState.SUBMITTED


def test_only_flagged_items_can_be_reuploaded_and_all_of_them_before_resubmit(case):
    app, officer = case
    svc.request_supplement(
        user=officer,
        application=app,
        items=[{"code": "photo", "reason": "unclear"}, {"code": "id_card", "reason": "unclear"}],
    )
    user = app.filed_by
    with pytest.raises(InvalidInput):
        svc.upload_material(
            user=user, application=app, requirement_code="residence_proof", file=png()
        )
    svc.upload_material(user=user, application=app, requirement_code="photo", file=png())
    with pytest.raises(InvalidInput) as exc:
        svc.resubmit(user=user, application=app, password=PASSWORD)
    assert exc.value.code == "flagged_not_reuploaded"
    svc.upload_material(user=user, application=app, requirement_code="id_card", file=png())
    svc.resubmit(user=user, application=app, password=PASSWORD)
    assert app.state == ApplicationState.SUBMITTED
    # the earlier versions are kept for the reviewer
    photos = Material.objects.filter(application=app, requirement__code="photo")
    assert list(photos.order_by("version").values_list("version", "superseded")) == [
        (1, True),
        (2, False),
    ]


def test_a_piecemeal_second_request_is_refused(case):
    app, officer = case
    svc.request_supplement(
        user=officer, application=app, items=[{"code": "photo", "reason": "unclear"}]
    )
    svc.upload_material(user=app.filed_by, application=app, requirement_code="photo", file=png())
    svc.resubmit(user=app.filed_by, application=app, password=PASSWORD)
    # the residence proof was not re-uploaded: it should have been in the first notice
    with pytest.raises(RuleRefused) as exc:
        svc.request_supplement(
            user=officer,
            application=app,
            items=[
                {"code": "photo", "reason": "unclear"},
                {"code": "residence_proof", "reason": "expired"},
            ],
        )
    assert exc.value.code == "piecemeal"
    # the items by their names, never their codes (issue 15, point 6)
    assert "Proof of residence address" in str(exc.value)
    assert "residence_proof" not in str(exc.value)
    app.refresh_from_db()
    assert app.state == ApplicationState.SUBMITTED
    assert app.transitions.filter(transition="request_supplement").count() == 1


def test_a_second_request_on_reuploaded_items_is_accepted(case):
    app, officer = case
    svc.request_supplement(
        user=officer, application=app, items=[{"code": "photo", "reason": "unclear"}]
    )
    svc.upload_material(user=app.filed_by, application=app, requirement_code="photo", file=png())
    svc.resubmit(user=app.filed_by, application=app, password=PASSWORD)
    svc.request_supplement(
        user=officer, application=app, items=[{"code": "photo", "reason": "wrong_document"}]
    )
    assert app.state == ApplicationState.SUPPLEMENT_REQUESTED
    assert app.transitions.filter(transition="request_supplement").count() == 2
    assert kinds(app.filed_by).count("supplement_requested") == 2  # one per notice


def test_after_acceptance_no_more_notice_only_approve_reject_or_extend(case):
    """Issue 13 point 10 (Regulations Art. 9, Administrative Licensing Law Art. 32): the one-time
    notice comes before acceptance; no open-ended pause after it."""
    app, officer = case
    svc.accept(user=officer, application=app)
    deadline = app.deadline
    with pytest.raises(WrongState):
        svc.request_supplement(
            user=officer, application=app, items=[{"code": "photo", "reason": "unclear"}]
        )
    app.refresh_from_db()
    assert app.state == ApplicationState.ACCEPTED and app.deadline == deadline


def test_the_timeline_shows_the_items_in_plain_words(case):
    app, officer = case
    svc.request_supplement(
        user=officer, application=app, items=[{"code": "photo", "reason": "unclear", "note": "糊"}]
    )
    entry = svc.timeline(app)[-1]
    assert entry["transition"] == "request_supplement"
    (item,) = entry["items"]
    assert item["code"] == "photo" and item["note"] == "糊"
    assert item["name"] in ("本人近期照片", "Recent photo")
    assert item["reason"] and item["reason"] != "unclear"  # the label, not the code
