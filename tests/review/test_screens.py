"""Issue 27, the officer's screens through their pages: the landing page is the queue (the model
list folded away, identity rows with their cells where they belong), the second-factor step has
one heading and two actions that differ, the admin's hidden table headings are Chinese, a
history's first row is not "- → 已提交"."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import IdentityFactory, StaffFactory
from tests.otp_support import login_without_second_factor, staff_device

pytestmark = pytest.mark.django_db


def zh_client():
    return Client(HTTP_ACCEPT_LANGUAGE="zh-hans")


def test_the_landing_page_is_the_queue_and_identity_rows_fill_their_own_cells():
    identity = IdentityFactory(pending=True)
    officer = StaffFactory(officer=True)
    client = zh_client()
    client.force_login(officer)
    html = client.get(reverse("admin:index")).content.decode()

    queue, rest = html.split('id="review-queue"')[1].split("</table>", 1)
    row = queue.split('data-kind="identity"')[1].split("</tr>")[0]
    assert ">打开<" not in row and "全市" not in row  # no "open" as a reference, no "city-wide"
    link = f'<a href="{reverse("admin:applicants_identity_change", args=[identity.pk])}">'
    assert link in row.split('<th scope="row">')[1]  # the person's name is the row's link
    # Django's list of models is one link away (issue 29: the queue is its own lean page), not
    # the page.
    records = reverse("admin:records")
    assert f'<a href="{records}">' in rest and "app-permits" not in html
    assert "app-permits" in client.get(records).content.decode()


def test_the_admins_hidden_table_headings_are_translated():
    client = zh_client()
    client.force_login(StaffFactory(supervisor=True))
    html = client.get(reverse("admin:app_list", args=["permits"])).content.decode()
    assert "Model name" not in html and "Add link" not in html
    assert "Change or view list link" not in html


def test_the_second_factor_step_has_one_heading_and_two_different_actions():
    officer = StaffFactory(officer=True)
    staff_device(officer)  # enrolled (issue 30: without a device the step asks for a link)
    client = zh_client()
    login_without_second_factor(client, officer)
    html = client.get("/admin/second-factor/", follow=True).content.decode()
    main = html.split('id="content"')[1]
    assert main.count("<h1") == 1
    assert 'class="button default"' in html  # 继续: the default action
    assert 'class="second-factor-logout"' in html  # 退出: a quiet way out


def test_a_historys_first_row_has_no_empty_from_state():
    """Point 9: a registration's first history row (from nothing to submitted) read
    "- → 已提交"; it says "已提交"."""
    import datetime

    from permits.services import registrations as services
    from tests.factories import HouseFactory
    from tests.permits.helpers import pdf

    person = IdentityFactory(verified=True)
    registration = services.submit_registration(
        account=person.account,
        person=person,
        house_code=HouseFactory().code,
        since=datetime.date(2025, 1, 1),
        basis="residence",
        proof=pdf(),
    )
    client = zh_client()
    client.force_login(StaffFactory(officer=True, station=registration.station))
    html = client.get(
        reverse("admin:permits_residenceregistration_change", args=[registration.pk])
    ).content.decode()
    history = html.split('class="review-history"')[1].split("</table>")[0]
    assert "已提交" in history
    assert "- →" not in history


def test_the_desk_shows_what_the_officer_decides_on_and_nothing_empty():
    """Point 5: no rows of "-", no red cross for "filed late" on a new application, no bar with
    a lone "close"; the case, the clock, the rules' verdict, the ID photos beside the
    materials, the history and the acts."""
    from tests.permits.factories import ApplicationFactory

    application = ApplicationFactory(submitted=True, answers={"household_region": "110101"})
    client = zh_client()
    client.force_login(StaffFactory(officer=True, station=application.station))
    html = client.get(
        reverse("admin:permits_permitapplication_change", args=[application.pk])
    ).content.decode()

    assert '<div class="readonly">-</div>' not in html
    assert "逾期申报" not in html and "icon-no.svg" not in html
    assert 'class="submit-row"' not in html and "关闭" not in html
    for section in ("facts", "clock", "verdict", "applicant", "materials", "timeline"):
        assert f'id="application-{section}"' in html, section
    assert 'id="act-accept"' in html
    if application.person.id_card_front:
        front = reverse("applicants:identity_file", args=[application.person.pk, "front"])
        assert front in html


def test_the_desk_counts_residence_from_the_recorded_registration_not_the_typed_move_in():
    """Review of issues 25/27: the desk said "(7 个月)" for a person registered today with a
    move-in date typed seven months back; the rules count from the registration the station
    recorded (issue 25, point 1), and so does the desk."""
    import datetime

    from dateutil.relativedelta import relativedelta
    from django.utils import timezone

    from tests.factories import RegistrationFactory
    from tests.permits.factories import ApplicationFactory
    from tests.permits.helpers import staff_for

    registration = RegistrationFactory(
        registered=True,
        since=timezone.localdate() - relativedelta(months=7),
        registered_at=timezone.now() - datetime.timedelta(hours=1),
    )
    application = ApplicationFactory(
        person=registration.person,
        registration=registration,
        station=registration.house.station,
    )
    client = zh_client()
    client.force_login(staff_for(application.station)["officer"])
    html = client.get(
        reverse("admin:permits_permitapplication_change", args=[application.pk])
    ).content.decode()
    block = html.split('id="application-registration"')[1].split('id="application-permit"')[0]
    assert "7个月" not in block
    assert "（0个月）" in block or "(0个月)" in block


def test_a_late_change_states_the_reporting_period_the_rules_set(monkeypatch):
    """Review of issues 25/27: "reported more than 30 days after" was typed in the desk and the
    case page; the period is the rules' (``rules.CHANGE_DUE_DAYS``, seed 002)."""
    from permits import rules
    from tests.permits.factories import ApplicationFactory
    from tests.permits.helpers import staff_for

    monkeypatch.setattr(rules, "CHANGE_DUE_DAYS", 45)
    application = ApplicationFactory(service="change", submitted=True, is_late=True)
    client = zh_client()
    client.force_login(application.filed_by)
    page = client.get(reverse("permits:application_detail", args=[application.pk]))
    assert "超过30日" not in page.content.decode() and "超过45日" in page.content.decode()
    client.force_login(staff_for(application.station)["officer"])
    desk = client.get(reverse("admin:permits_permitapplication_change", args=[application.pk]))
    assert "超过45日" in desk.content.decode() and "超过30日" not in desk.content.decode()
