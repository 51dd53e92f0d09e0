"""Issue 17 in the browser: the applicant rates a collected case from the link of the final SMS,
without signing in, on a phone in Chinese (the pages pass axe-core; the link then no longer
works); books, moves and attends a window slot, seen on the clerk's list."""

import re

import pytest

from tests.e2e.helpers import PHONE, assert_accessible, latest_sms

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+?(/permits/rate/\S+/)")


def test_rate_a_case_from_the_sms_link(new_page, shot):
    from permits.models import Rating, RatingFollowUp
    from permits.services import applications as svc
    from tests.permits.factories import ApplicationFactory
    from tests.permits.helpers import staff_for

    application = ApplicationFactory(awaiting_pickup=True)
    clerk = staff_for(application.station)["clerk"]
    svc.record_collected(
        user=clerk, application=application, collector_id_number=application.person.id_number
    )
    body = latest_sms(application.filed_by.phone)
    match = LINK.search(body or "")
    assert match, body
    path = match.group(1)

    page = new_page(viewport=PHONE, language="zh-hans")
    page.goto(path)
    assert application.reference in page.content()
    shot(page, "rating-page")
    assert_accessible(page, "rating page")
    page.get_by_label("不满意", exact=True).check()
    page.fill("#id_comment", "窗口排队时间太长。")
    page.get_by_role("button", name="提交评价").click()
    page.wait_for_selector("h1:has-text('感谢您对本事项的评价')")
    shot(page, "thanks")
    assert_accessible(page, "thanks page")

    rating = Rating.objects.get(application=application)
    assert rating.score == 2 and rating.link_used_at is not None
    assert RatingFollowUp.objects.filter(rating=rating).exists()

    response = page.goto(path)
    assert response.status == 410
    assert "该链接已失效" in page.content()
    shot(page, "link-spent")


def test_book_move_and_attend_a_window_slot(new_page, shot):
    import datetime

    from django.urls import reverse

    from permits.models import Appointment, PickupWindow
    from permits.services import applications as svc
    from tests.e2e.helpers import DESKTOP, admin_login
    from tests.factories import PASSWORD
    from tests.permits.factories import ApplicationFactory
    from tests.permits.helpers import staff_for

    application = ApplicationFactory(awaiting_pickup=True)
    for weekday in range(7):
        PickupWindow.objects.create(
            station=application.station,
            weekday=weekday,
            starts_at=datetime.time(9),
            ends_at=datetime.time(10),
            capacity=3,
        )
    page = new_page(viewport=PHONE, language="zh-hans")
    page.goto("/accounts/login/")
    page.fill("#id_username", application.filed_by.phone)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form[method=post] [type=submit]").click()
    page.goto(reverse("permits:application_detail", args=[application.pk]))
    page.locator("#pickup-appointment a").click()
    page.locator(".slot-grid a").first.click()  # a day, then a time (issue 27)
    page.wait_for_selector("#slot-form")
    assert_accessible(page, "booking page")
    shot(page, "slots")
    page.locator("#slot-form .slot-grid label").nth(0).click()
    page.locator("#slot-form [type=submit]").click()
    page.wait_for_selector("#current-booking")
    shot(page, "booked")
    first = Appointment.objects.get(application=application, active=True)
    page.locator("#slot-form .slot-grid label").nth(1).click()
    page.locator("#slot-form [type=submit]").click()
    page.wait_for_selector("#current-booking")
    assert_accessible(page, "booking moved")
    shot(page, "moved")
    moved = Appointment.objects.get(application=application, active=True)
    assert moved.pk != first.pk and moved.starts_at == datetime.time(9, 30)

    clerk = staff_for(application.station)["clerk"]
    svc.record_collected(
        user=clerk, application=application, collector_id_number=application.person.id_number
    )
    desk = new_page(viewport=DESKTOP, language="zh-hans")
    admin_login(desk, clerk)
    desk.goto(reverse("admin:permits_appointment_changelist") + "?day=all")
    row = desk.locator("#result_list tbody tr", has_text=application.reference)
    assert row.count() == 1
    assert row.locator("img[src*='icon-yes']").count() == 1  # attended: collected
    shot(desk, "clerk-list")
