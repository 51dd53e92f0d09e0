"""Issue 31, point 1: community service agencies entrusted by the police (Art. 9 of the
Provisional Regulations, seeds 003 and 004). An agency's staff receive, check, send the one-time
notice and accept, at their agency's applications only; approval, production and the permit stay
with the station's officers. They see nothing of another agency's or station's cases, in the
admin pages and the staff API alike."""

import pytest
from django.urls import reverse

from core.errors import NotAllowed
from permits.constants import ApplicationState
from permits.models import Document, PermitApplication
from permits.services import applications as svc
from tests.factories import AgencyFactory, HouseFactory, StaffFactory, StationFactory
from tests.permits.helpers import draft_ready, registered_person, staff_for
from tests.review.helpers import act, act_url, change_url
from tests.service_codes import Service

pytestmark = pytest.mark.django_db


def _filed(station, agency=None):
    person = registered_person(months=12, house=HouseFactory(station=station))
    draft = draft_ready(person, Service.NEW)
    if agency is not None:
        svc.choose_place(user=draft.filed_by, application=draft, agency_id=agency.pk)
    from tests.factories import PASSWORD

    return svc.submit(user=draft.filed_by, application=draft, password=PASSWORD)


@pytest.fixture
def world():
    """Station A with agencies A1 and A2, station B; a case filed at each place."""
    station_a, station_b = StationFactory(), StationFactory()
    a1, a2 = AgencyFactory(station=station_a), AgencyFactory(station=station_a)
    b1 = AgencyFactory(station=station_b)
    cases = {
        "a1": _filed(station_a, a1),
        "a2": _filed(station_a, a2),
        "a": _filed(station_a),
        "b": _filed(station_b),
        "b1": _filed(station_b, b1),
    }
    return {
        "station_a": station_a,
        "a1": a1,
        "a2": a2,
        "cases": cases,
        "a1_staff": StaffFactory(agency_staff=True, agency=a1),
        "officer_a": staff_for(station_a)["officer"],
        "clerk_a": StaffFactory(clerk=True, station=station_a),
    }


def test_an_agency_is_filed_with_the_case_and_stays_with_it(world):
    assert world["cases"]["a1"].agency == world["a1"]
    assert world["cases"]["a"].agency is None
    assert world["cases"]["a1"].station == world["station_a"]


def test_agency_staff_see_only_their_agencys_cases_in_the_admin(client, world):
    client.force_login(world["a1_staff"])
    listing = client.get(reverse("admin:permits_permitapplication_changelist"))
    assert listing.status_code == 200
    body = listing.content.decode()
    cases = world["cases"]
    assert cases["a1"].reference in body
    for other in ("a2", "a", "b", "b1"):
        assert cases[other].reference not in body
        assert client.get(change_url(cases[other])).status_code in (302, 404)
        assert client.get(act_url(cases[other], "accept")).status_code in (403, 404)
    page = client.get(change_url(cases["a1"]))
    assert page.status_code == 200
    # the materials can be checked
    material = cases["a1"].current_materials().first()
    file_url = reverse("admin:review_application_material", args=[cases["a1"].pk, material.pk])
    assert client.get(file_url).status_code == 200
    other_material = cases["a2"].current_materials().first()
    other_url = reverse(
        "admin:review_application_material", args=[cases["a2"].pk, other_material.pk]
    )
    assert client.get(other_url).status_code in (302, 404)
    # and the landing queue shows the agency's case only
    landing = client.get(reverse("admin:index")).content.decode()
    assert cases["a1"].reference in landing
    assert cases["a"].reference not in landing and cases["a2"].reference not in landing


def test_agency_staff_see_nothing_of_the_stations_registrations_permits_or_identities(
    client, world
):
    client.force_login(world["a1_staff"])
    for name in (
        "admin:permits_residenceregistration_changelist",
        "admin:applicants_identity_changelist",
        "admin:permits_house_changelist",
        "admin:permits_appointment_changelist",
    ):
        assert client.get(reverse(name)).status_code in (302, 403), name
    permits = client.get(reverse("admin:permits_residencepermit_changelist"))
    assert permits.status_code in (200, 302, 403)
    if permits.status_code == 200:
        assert "/change/" not in permits.content.decode().split("result_list")[-1][:2000]


def test_agency_staff_see_only_their_agencys_cases_in_the_staff_api(client, world):
    client.force_login(world["a1_staff"])
    response = client.get(reverse("api:staff-applications"), {"state": "submitted"})
    assert response.status_code == 200, response.content
    references = {row["reference"] for row in response.json()["results"]}
    assert references == {world["cases"]["a1"].reference}
    assert response.json()["results"][0]["agency_name"] == world["a1"].name
    for other in ("a2", "a", "b", "b1"):
        case = world["cases"][other]
        assert client.get(reverse("api:staff-application", args=[case.pk])).status_code == 404
    # production stays with the station
    produced = client.post(
        reverse("api:staff-produced", args=[world["cases"]["a1"].pk]),
        {"note": "", "version": world["cases"]["a1"].version},
        content_type="application/json",
    )
    assert produced.status_code in (403, 409)
    assert PermitApplication.objects.get(pk=world["cases"]["a1"].pk).produced_at is None


def test_agency_staff_accept_and_send_the_notice_but_the_station_decides(client, world):
    case = world["cases"]["a1"]
    staff = world["a1_staff"]
    client.force_login(staff)
    page = client.get(change_url(case)).content.decode()
    assert 'data-act="accept"' in page and 'data-act="request_supplement"' in page
    assert 'data-act="approve"' not in page and 'data-act="reject"' not in page
    response = act(client, case, "accept")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == ApplicationState.ACCEPTED
    # the agency's name on the acceptance notice, the station's on the paper's letterhead
    notice = Document.objects.get(application=case, kind="acceptance")
    assert notice.payload["agency_name"] == world["a1"].name
    assert notice.payload["station_name"] == world["station_a"].name
    # approval is not theirs: not offered, refused if asked
    assert client.get(act_url(case, "approve")).status_code in (403, 404)
    with pytest.raises(NotAllowed):
        svc.approve(user=staff, application=case)
    # another agency's case: refused by the service too
    with pytest.raises(NotAllowed):
        svc.accept(user=staff, application=world["cases"]["a2"])
    with pytest.raises(NotAllowed):
        svc.accept(user=staff, application=world["cases"]["a"])
    # the station's officer approves, the clerk produces; the refusal paper is the station's
    svc.approve(user=world["officer_a"], application=case)
    svc.mark_produced(user=world["clerk_a"], application=case)
    case.refresh_from_db()
    assert case.state == ApplicationState.PRODUCED and case.permit is not None


def test_agency_staff_send_the_one_time_notice(client, world):
    case = world["cases"]["a1"]
    client.force_login(world["a1_staff"])
    response = act(
        client, case, "request_supplement", flag_photo="on", reason_photo="unclear", note=""
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    case.refresh_from_db()
    assert case.state == ApplicationState.SUPPLEMENT_REQUESTED


def test_the_refusal_is_the_stations(world):
    case = world["cases"]["a1"]
    svc.accept(user=world["a1_staff"], application=case)
    svc.reject(user=world["officer_a"], application=case, reason="not_eligible", note="不符合条件")
    refusal = Document.objects.get(application=case, kind="refusal")
    assert refusal.payload["station_name"] == world["station_a"].name
    assert not refusal.payload.get("agency_name")


def test_the_station_officer_still_sees_the_agencies_cases(client, world):
    client.force_login(world["officer_a"])
    body = client.get(reverse("admin:permits_permitapplication_changelist")).content.decode()
    for name in ("a1", "a2", "a"):
        assert world["cases"][name].reference in body
    assert world["cases"]["b1"].reference not in body


def test_the_report_tells_the_agencies_apart(client, world):
    svc.accept(user=world["a1_staff"], application=world["cases"]["a1"])
    supervisor = StaffFactory(supervisor=True)
    client.force_login(supervisor)
    page = client.get(reverse("admin:review_report")).content.decode()
    assert 'id="agency-report"' in page
    from core import clock
    from review.selectors import agency_report

    today = clock.today()
    rows = agency_report(start=today.replace(day=1), end=today, today=today)
    a_rows = {
        (r["agency"].pk if r["agency"] else None): r
        for r in rows
        if r["station"] == world["station_a"]
    }
    assert a_rows[world["a1"].pk]["received"] == 1 and a_rows[world["a1"].pk]["accepted"] == 1
    assert a_rows[world["a2"].pk]["received"] == 1 and a_rows[world["a2"].pk]["accepted"] == 0
    assert a_rows[None]["received"] == 1
    assert world["a1"].name in page


def _produced_at_agency(world, *, hands_over=True):
    agency = world["a1"]
    agency.hands_over_cards = hands_over
    agency.save()
    case = world["cases"]["a1"]
    svc.accept(user=world["a1_staff"], application=case)
    svc.approve(user=world["officer_a"], application=case)
    svc.mark_produced(user=world["clerk_a"], application=case)
    case.refresh_from_db()
    return case


def test_the_applicant_collects_at_the_agency_whose_staff_hand_it_over(world):
    from django.test import Client

    case = _produced_at_agency(world)
    applicant = Client(HTTP_ACCEPT_LANGUAGE="en")
    applicant.force_login(case.filed_by)
    window = reverse("permits:application_delivery_window", args=[case.pk])
    page = applicant.get(window).content.decode()
    assert world["a1"].name in page and 'name="at_agency"' in page
    response = applicant.post(
        window, {"method": "window", "at_agency": "agency", "seen_state": case.state}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.pickup_at_agency and case.state == ApplicationState.AWAITING_PICKUP
    # another agency's staff cannot; the agency's staff can
    other = StaffFactory(agency_staff=True, agency=world["a2"])
    with pytest.raises(NotAllowed):
        svc.record_collected(
            user=other, application=case, collector_id_number=case.person.id_number
        )
    svc.record_collected(
        user=world["a1_staff"], application=case, collector_id_number=case.person.id_number
    )
    case.refresh_from_db()
    assert case.state == ApplicationState.COLLECTED


def test_a_card_collected_at_the_station_is_not_the_agencys_to_hand_over(world):
    case = _produced_at_agency(world)
    svc.choose_pickup(user=case.filed_by, application=case)
    case.refresh_from_db()
    assert not case.pickup_at_agency
    with pytest.raises(NotAllowed):
        svc.record_collected(
            user=world["a1_staff"], application=case, collector_id_number=case.person.id_number
        )
    svc.record_collected(
        user=world["clerk_a"], application=case, collector_id_number=case.person.id_number
    )


def test_an_agency_that_does_not_hand_over_cards_is_not_offered(world):
    from core.errors import InvalidInput

    case = _produced_at_agency(world, hands_over=False)
    with pytest.raises(InvalidInput):
        svc.choose_pickup(user=case.filed_by, application=case, at_agency=True)
    case.refresh_from_db()
    assert case.delivery_method == "" and not case.pickup_at_agency


def test_the_officers_queue_and_desk_name_the_agency(client, world):
    client.force_login(world["officer_a"])
    landing = client.get(reverse("admin:index")).content.decode()
    assert f'data-agency="{world["a1"].code}"' in landing
    desk = client.get(change_url(world["cases"]["a1"])).content.decode()
    assert world["a1"].name in desk
    plain = client.get(change_url(world["cases"]["a"])).content.decode()
    assert world["a1"].name not in plain


def test_the_agencys_hand_over_queue_lists_only_the_cards_collected_at_the_agency(client, world):
    """Gap of issue 31: a card of the agency's case collected at the station is the station's
    to hand over (the act is refused to the agency's staff), so their queues leave it out, on
    the landing page, the changelist's desk filter and the staff API's queue alike."""
    at_station = _produced_at_agency(world)
    svc.choose_pickup(user=at_station.filed_by, application=at_station)
    at_agency = _filed(world["station_a"], world["a1"])
    svc.accept(user=world["a1_staff"], application=at_agency)
    svc.approve(user=world["officer_a"], application=at_agency)
    svc.mark_produced(user=world["clerk_a"], application=at_agency)
    svc.choose_pickup(user=at_agency.filed_by, application=at_agency, at_agency=True)
    at_station.refresh_from_db()
    at_agency.refresh_from_db()
    assert at_station.state == at_agency.state == ApplicationState.AWAITING_PICKUP
    assert at_agency.pickup_at_agency and not at_station.pickup_at_agency

    client.force_login(world["a1_staff"])
    landing = client.get(reverse("admin:index")).content.decode()
    changelist = client.get(
        reverse("admin:permits_permitapplication_changelist"), {"desk": "to_hand_over"}
    ).content.decode()
    api = client.get(reverse("api:staff-applications"), {"queue": "to_hand_over"})
    assert api.status_code == 200, api.content
    api_references = {row["reference"] for row in api.json()["results"]}
    assert api_references == {at_agency.reference}
    for body in (landing, changelist):
        assert at_agency.reference in body
        assert at_station.reference not in body

    # the station's clerk still has both to hand over
    client.force_login(world["clerk_a"])
    api = client.get(reverse("api:staff-applications"), {"queue": "to_hand_over"})
    assert {row["reference"] for row in api.json()["results"]} == {
        at_agency.reference,
        at_station.reference,
    }


def test_the_window_handover_finds_for_an_agency_only_the_cards_collected_there(client, world):
    """Review of issue 31: the window handover page, like the queues, offers an agency's staff
    only the cards collected at their agency; one collected at the station is not found there
    (the act would refuse it), and the station's clerk finds it."""
    at_station = _produced_at_agency(world)
    svc.choose_pickup(user=at_station.filed_by, application=at_station)
    at_station.refresh_from_db()
    page = reverse("admin:review_handover")
    client.force_login(world["a1_staff"])
    for code in (at_station.reference, at_station.pickup_code):
        response = client.get(page, {"code": code})
        assert response.status_code == 200
        assert response.context["application"] is None and response.context["not_found"]
    client.force_login(world["clerk_a"])
    response = client.get(page, {"code": at_station.pickup_code})
    assert response.context["application"] == at_station
    assert response.context["collect_form"] is not None


def test_the_handover_receipt_names_the_agency_the_card_was_collected_at(client, world):
    """Gap of issue 31: as the acceptance notice names the agency it was accepted at, the
    receipt of handover names the agency whose window handed the card over (and its station)."""
    from permits.constants import DocumentKind
    from tests.permits.documents_support import pdf_text

    case = _produced_at_agency(world)
    svc.choose_pickup(user=case.filed_by, application=case, at_agency=True)
    client.force_login(world["a1_staff"])
    response = act(client, case, "record_collected", collector_id_number=case.person.id_number)
    assert response.status_code == 302, response.content.decode()[:2000]
    case.refresh_from_db()
    assert case.state == ApplicationState.COLLECTED
    receipt = Document.objects.get(application=case, kind=DocumentKind.HANDOVER)
    client.force_login(case.filed_by)
    download = client.get(reverse("permits:document_file", args=[receipt.pk]))
    assert download.status_code == 200
    text = pdf_text(b"".join(download.streaming_content)).replace("\n", "").replace(" ", "")
    agency = world["a1"]
    assert f"在{agency.name}窗口交付" in text
    assert f"{agency.name}（{world['station_a'].name}委托的社区服务机构）" in text
    assert agency.address.replace(" ", "") in text


def test_agency_staff_open_the_papers_of_their_agencys_cases_only(client, world):
    """Review of issue 31: the acceptance notice an agency's staff issue names their agency and
    is printed at their window, so they open it (the desk lists it); another agency's or the
    station's own papers stay 404."""
    client.force_login(world["a1_staff"])
    assert act(client, world["cases"]["a1"], "accept").status_code == 302
    for key in ("a2", "a"):
        svc.accept(user=world["officer_a"], application=world["cases"][key])
    own = Document.objects.get(application=world["cases"]["a1"], kind="acceptance")
    response = client.get(reverse("permits:document_file", args=[own.pk]))
    assert response.status_code == 200
    for key in ("a2", "a"):
        other = Document.objects.get(application=world["cases"][key], kind="acceptance")
        assert client.get(reverse("permits:document_file", args=[other.pk])).status_code == 404


def test_the_agency_table_names_its_days_as_the_station_table_does(client, world, settings):
    """Review of issues 25/31: both tables' median and p90 are counted in the deadline's days
    (working days by default, ``rules.count_days``); the agency table called them plain days."""
    settings.DEADLINE_DAY_MODE = "working"
    client.force_login(StaffFactory(supervisor=True))
    page = client.get(reverse("admin:review_report"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    agency_table = page.split('id="agency-report"')[1].split("</thead>")[0]
    assert "Median working days, acceptance to production" in agency_table
    assert "90th percentile working days" in agency_table
