"""Ratings (好差评) and window appointments (issue 17) through the API: the case's rating, rate
once, the station's answer to a bad rating; the booking with the free slots, book, move,
cancel, a full slot refused. For every endpoint: the filer succeeds, another applicant 404,
anonymous 401; reads and acts cost a bounded number of queries."""

import datetime

import pytest
from django.utils import timezone

from permits.models import Appointment, AppointmentSlot, PickupWindow, Rating, RatingFollowUp
from permits.selectors import appointments as appointment_selectors
from permits.services import applications as svc
from permits.services import appointments as appointment_services
from permits.services import ratings as rating_services
from tests.api_support import assert_error, client_for
from tests.factories import StaffFactory
from tests.permits.factories import ApplicationFactory
from tests.permits.helpers import staff_for

pytestmark = pytest.mark.django_db

T9, T930, T10 = datetime.time(9), datetime.time(9, 30), datetime.time(10)


def rating_url(app) -> str:
    return f"/api/v1/applications/{app.pk}/rating/"


def appointment_url(app) -> str:
    return f"/api/v1/applications/{app.pk}/appointment/"


def collected_case():
    """A case ended by the service (so its rating is opened, as in production)."""
    app = ApplicationFactory(awaiting_pickup=True)
    staff = staff_for(app.station)
    svc.record_collected(
        user=staff["clerk"], application=app, collector_id_number=app.person.id_number
    )
    return app


def open_every_day(station, *, capacity=2):
    for weekday in range(7):
        PickupWindow.objects.create(
            station=station, weekday=weekday, starts_at=T9, ends_at=T10, capacity=capacity
        )


def waiting_case(**kwargs):
    return ApplicationFactory(awaiting_pickup=True, **kwargs)


def slot(day, time) -> dict:
    return {"day": day.isoformat(), "starts_at": time.strftime("%H:%M")}


# --- ratings ------------------------------------------------------------------------------------


def test_rate_an_ended_case_once_through_the_api(django_assert_max_num_queries):
    app = collected_case()
    api = client_for(app.filed_by)
    with django_assert_max_num_queries(4):
        response = api.get(rating_url(app))
    assert response.status_code == 200, response.content
    assert response.json() == {"can_rate": True, "rating": None}

    with django_assert_max_num_queries(10):
        response = api.post(rating_url(app), {"score": 4, "comment": " Quick. "}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["can_rate"] is False
    assert body["rating"]["score"] == 4
    assert body["rating"]["score_display"] == "Satisfied"
    assert body["rating"]["comment"] == "Quick."
    assert body["rating"]["follow_up"] is None  # a good rating opens no follow-up
    rating = Rating.objects.get(application=app)
    assert rating.score == 4 and rating.comment == "Quick." and rating.link_used_at is None

    # once: a second rating is refused with the service's message, the first one stays
    again = assert_error(api.post(rating_url(app), {"score": 1}, format="json"), 409, "rated")
    assert again["message"] == "This case has already been rated. Thank you."
    assert Rating.objects.get(application=app).score == 4
    assert not RatingFollowUp.objects.exists()
    assert api.get(rating_url(app)).json()["rating"]["score"] == 4


def test_a_bad_rating_shows_the_follow_up_and_then_the_supervisors_answer(
    django_assert_max_num_queries,
):
    app = collected_case()
    api = client_for(app.filed_by)
    response = api.post(rating_url(app), {"score": 2, "comment": "Long wait."}, format="json")
    assert response.status_code == 201, response.content
    follow_up = RatingFollowUp.objects.get(rating__application=app)
    shown = response.json()["rating"]["follow_up"]
    assert shown == {"due_on": follow_up.due_on.isoformat(), "answered_at": None, "answer": ""}

    rating_services.answer_follow_up(
        user=StaffFactory(supervisor=True), follow_up=follow_up, answer="A second window opens."
    )
    with django_assert_max_num_queries(4):
        response = api.get(rating_url(app))
    shown = response.json()["rating"]["follow_up"]
    assert shown["answer"] == "A second window opens." and shown["answered_at"]


def test_a_running_case_cannot_be_rated_and_bad_input_is_a_400():
    app = ApplicationFactory(accepted=True)
    api = client_for(app.filed_by)
    assert api.get(rating_url(app)).json() == {"can_rate": False, "rating": None}
    assert_error(api.post(rating_url(app), {"score": 5}, format="json"), 409, "not_rateable")
    assert not Rating.objects.exists()

    ended = collected_case()
    api = client_for(ended.filed_by)
    for wrong in ({"score": 0}, {"score": 6}, {"comment": "no score"}, {"score": "x"}):
        body = assert_error(api.post(rating_url(ended), wrong, format="json"), 400, "invalid")
        assert list(body["fields"]) == ["score"], wrong
    body = assert_error(
        api.post(rating_url(ended), {"score": 3, "comment": "x" * 501}, format="json"), 400
    )
    assert list(body["fields"]) == ["comment"]
    assert not Rating.objects.get(application=ended).is_rated


def test_another_applicants_case_is_not_found_and_anonymous_is_401(api):
    app = collected_case()
    stranger = client_for(ApplicationFactory().filed_by)
    assert_error(stranger.get(rating_url(app)), 404, "not_found")
    assert_error(stranger.post(rating_url(app), {"score": 1}, format="json"), 404, "not_found")
    assert_error(api.get(rating_url(app)), 401, "not_authenticated")
    assert_error(api.post(rating_url(app), {"score": 1}, format="json"), 401)
    assert not Rating.objects.get(application=app).is_rated


# --- appointments -------------------------------------------------------------------------------


def test_book_move_and_cancel_through_the_api(django_assert_max_num_queries):
    app = waiting_case()
    open_every_day(app.station, capacity=2)
    api = client_for(app.filed_by)
    offered = appointment_selectors.open_days(app.station)
    day, later = offered[0]["day"], offered[1]["day"]

    with django_assert_max_num_queries(7):
        response = api.get(appointment_url(app))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["can_book"] is True and body["takes_appointments"] is True
    assert body["appointment"] is None and body["missed"] is False
    assert [d["day"] for d in body["days"]] == [d["day"].isoformat() for d in offered]
    assert body["days"][0]["slots"] == [
        {"starts_at": "09:00:00", "capacity": 2, "left": 2},
        {"starts_at": "09:30:00", "capacity": 2, "left": 2},
    ]

    with django_assert_max_num_queries(17):
        response = api.post(appointment_url(app), slot(day, T9), format="json")
    assert response.status_code == 201, response.content
    booked = response.json()["appointment"]
    assert (booked["day"], booked["starts_at"]) == (day.isoformat(), "09:00:00")
    assert response.json()["days"][0]["slots"][0]["left"] == 1
    assert AppointmentSlot.objects.get(day=day, starts_at=T9).booked == 1

    # move (PUT, then PATCH): the old place is given back (+2 since issue 29: the account's
    # page generation bumped as the old booking ends and as the new one is made)
    with django_assert_max_num_queries(21):
        response = api.put(appointment_url(app), slot(later, T930), format="json")
    assert response.status_code == 200, response.content
    assert response.json()["appointment"]["day"] == later.isoformat()
    assert AppointmentSlot.objects.get(day=day, starts_at=T9).booked == 0
    assert AppointmentSlot.objects.get(day=later, starts_at=T930).booked == 1
    response = api.patch(appointment_url(app), slot(day, T930), format="json")
    assert response.status_code == 200, response.content
    current = Appointment.objects.get(application=app, active=True)
    assert (current.day, current.starts_at) == (day, T930)
    assert Appointment.objects.filter(application=app, active=False).count() == 2

    with django_assert_max_num_queries(9):
        response = api.delete(appointment_url(app))
    assert response.status_code == 204, response.content
    assert not Appointment.objects.filter(application=app, active=True).exists()
    assert AppointmentSlot.objects.get(day=day, starts_at=T930).booked == 0
    body = assert_error(api.delete(appointment_url(app)), 409, "no_booking")
    assert body["message"] == "There is no booking to cancel."


def test_a_full_slot_is_refused_with_the_services_message_and_not_offered():
    first = waiting_case()
    station = first.station
    open_every_day(station, capacity=1)
    day = appointment_selectors.open_days(station)[0]["day"]
    response = client_for(first.filed_by).post(appointment_url(first), slot(day, T9), format="json")
    assert response.status_code == 201, response.content

    second = waiting_case(registration__house__station=station)
    api = client_for(second.filed_by)
    offered = api.get(appointment_url(second)).json()["days"][0]
    assert offered["day"] == day.isoformat()
    assert [s["starts_at"] for s in offered["slots"]] == ["09:30:00"]  # the full one is not
    body = assert_error(api.post(appointment_url(second), slot(day, T9), format="json"), 409)
    assert body["code"] == "slot_full"
    assert body["message"] == "This time has just been fully booked. Choose another time."
    assert AppointmentSlot.objects.get(day=day, starts_at=T9).booked == 1
    assert not Appointment.objects.filter(application=second).exists()

    # a time the station does not offer: 400 with the service's field message
    body = assert_error(
        api.post(appointment_url(second), slot(day, datetime.time(15)), format="json"), 400
    )
    assert body["fields"] == {"slot": ["This time is not offered. Choose one of the times listed."]}
    body = assert_error(api.post(appointment_url(second), {"day": "soon"}, format="json"), 400)
    assert set(body["fields"]) == {"day", "starts_at"}


def test_a_missed_slot_is_shown_and_can_be_rebooked():
    app = waiting_case()
    open_every_day(app.station)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Appointment.objects.create(application=app, station=app.station, day=yesterday, starts_at=T9)
    api = client_for(app.filed_by)
    body = api.get(appointment_url(app)).json()
    assert body["missed"] is True and body["appointment"]["day"] == yesterday.isoformat()
    day = appointment_selectors.open_days(app.station)[0]["day"]
    response = api.post(appointment_url(app), slot(day, T930), format="json")
    assert response.status_code == 201, response.content
    assert response.json()["missed"] is False
    assert Appointment.objects.get(application=app, active=True).day == day


def test_only_while_awaiting_window_pickup():
    done = ApplicationFactory(collected=True)
    open_every_day(done.station)
    api = client_for(done.filed_by)
    body = api.get(appointment_url(done)).json()
    assert body["can_book"] is False and body["days"] == [] and body["appointment"] is None
    day = appointment_selectors.open_days(done.station)[0]["day"]
    body = assert_error(api.post(appointment_url(done), slot(day, T9), format="json"), 409)
    assert body["code"] == "not_awaiting_pickup"
    assert not Appointment.objects.exists()


def test_another_applicants_booking_is_not_found_and_anonymous_is_401(api):
    app = waiting_case()
    open_every_day(app.station)
    day = appointment_selectors.open_days(app.station)[0]["day"]
    appointment_services.book(user=app.filed_by, application=app, day=day, starts_at=T9)
    stranger = client_for(ApplicationFactory(awaiting_pickup=True).filed_by)
    url = appointment_url(app)
    assert_error(stranger.get(url), 404, "not_found")
    assert_error(stranger.post(url, slot(day, T930), format="json"), 404, "not_found")
    assert_error(stranger.put(url, slot(day, T930), format="json"), 404, "not_found")
    assert_error(stranger.patch(url, slot(day, T930), format="json"), 404, "not_found")
    assert_error(stranger.delete(url), 404, "not_found")
    assert_error(api.get(url), 401, "not_authenticated")
    assert_error(api.post(url, slot(day, T930), format="json"), 401)
    assert_error(api.delete(url), 401)
    current = Appointment.objects.get(application=app, active=True)
    assert (current.day, current.starts_at) == (day, T9)


def test_reading_the_slots_costs_the_same_whatever_the_bookings(django_assert_max_num_queries):
    app = waiting_case()
    open_every_day(app.station, capacity=3)
    for offered in appointment_selectors.open_days(app.station)[:5]:
        for time in (T9, T930):
            other = waiting_case(registration__house__station=app.station)
            appointment_services.book(
                user=other.filed_by, application=other, day=offered["day"], starts_at=time
            )
    api = client_for(app.filed_by)
    with django_assert_max_num_queries(7):
        response = api.get(appointment_url(app))
    assert response.status_code == 200
    assert {s["left"] for s in response.json()["days"][0]["slots"]} == {2}
