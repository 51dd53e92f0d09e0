"""Issue 30 (8) with real processes: people who loaded the booking page while a slot still had
places all send it at the same moment to gunicorn web nodes (sync workers, as production runs
them) serving the portal against PostgreSQL. Exactly as many are booked as there were places;
every other one is told, in their language, that the time has just been fully booked and shown
the next free times, never Django's "选择一个有效的选项" ("not a valid choice"); nothing half-saved.

Each person signs in through the login page and sends the form of the page drawn for them (its
CSRF token, their session cookie), from a thread of the test; a barrier fires them together.
The nodes' access logs name the process that served each request."""

import re
import threading

import pytest
import requests
from django.urls import reverse

from permits.models import Appointment, AppointmentSlot
from permits.selectors import appointments as selectors
from tests.factories import PASSWORD
from tests.permits.test_appointments import (
    JUST_FILLED_EN,
    JUST_FILLED_ZH,
    T9,
    T930,
    open_every_day,
    slot_value,
    waiting_case,
)
from tests.services.conftest import WebNode

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

NOT_VALID = ("有效的选项", "valid choice")  # Django's ChoiceField refusal, in either language
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture(scope="module")
def nodes(django_db_setup, tmp_path_factory):
    """Two web nodes (production runs several behind nginx), one sync worker each so that the
    suite stays small on a 2-core machine: two processes, each with its own connection to
    PostgreSQL. Started together, shared by this module's tests."""
    tmp_path = tmp_path_factory.mktemp("web")
    started = [WebNode(tmp_path, f"web{n}") for n in range(2)]
    try:
        for node in started:
            node.wait_up()
        yield started
    finally:
        for node in started:
            node.stop()


class Applicant:
    """One person's browser: signs in through the login page, draws the booking page."""

    def __init__(self, application, node, language):
        self.application = application
        self.node = node
        self.language = language
        self.browser = requests.Session()
        self.browser.headers["Accept-Language"] = language
        self.path = reverse("permits:application_appointment", args=[application.pk])
        self.url = node.base + self.path

    def _post(self, url, data):
        token = TOKEN.search(self.browser.get(url, timeout=30).text).group(1)
        return {"csrfmiddlewaretoken": token, **data}

    def sign_in(self):
        login = f"{self.node.base}/accounts/login/"
        data = self._post(login, {"username": self.application.filed_by.phone})
        answer = self.browser.post(
            login, data={**data, "password": PASSWORD}, allow_redirects=False, timeout=30
        )
        assert answer.status_code == 302, answer.text[:2000]
        return self

    def load(self, day):
        """The booking page drawn with ``day`` chosen; its form, ready to send."""
        page = self.browser.get(f"{self.url}?day={day:%Y-%m-%d}", timeout=30)
        assert page.status_code == 200, page.text[:2000]
        assert slot_value(day, T9) in page.text  # the slot is still offered on this page
        self.token = TOKEN.search(page.text).group(1)
        return self

    def send(self, slot):
        return self.browser.post(
            self.url,
            data={"csrfmiddlewaretoken": self.token, "slot": slot},
            allow_redirects=False,
            timeout=60,
        )


def people_on_a_slot(count, *, places, nodes, languages=("zh-hans",)):
    """``count`` people waiting to collect a card at one station whose slots take ``places``;
    each signed in on a node in turn and with the first open day's page drawn."""
    first = waiting_case()
    station = first.station
    open_every_day(station, capacity=places)
    cases = [first] + [waiting_case(registration__house__station=station) for _ in range(count - 1)]
    day = selectors.open_days(station)[0]["day"]
    people = [
        Applicant(case, nodes[n % len(nodes)], languages[n % len(languages)]).sign_in().load(day)
        for n, case in enumerate(cases)
    ]
    return people, station, day


def all_send_at_once(people, slot):
    barrier = threading.Barrier(len(people))
    answers = {}

    def send(person):
        barrier.wait()
        answers[person] = person.send(slot)

    threads = [threading.Thread(target=send, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert len(answers) == len(people)
    return answers


def check_refused(person, answer, day):
    """Told the time just filled, in their language, with the next free times to choose."""
    page = answer.text
    words = JUST_FILLED_ZH if person.language == "zh-hans" else JUST_FILLED_EN
    assert answer.status_code == 200, (answer.status_code, page[:2000])
    assert words in page, page[:4000]
    assert not any(refusal in page for refusal in NOT_VALID), page[:4000]
    assert 'id="next-free"' in page
    assert slot_value(day, T930) in page  # the next free time, offered to choose at once
    assert not Appointment.objects.filter(application=person.application).exists()


def booking_posts(nodes, people):
    """(pid, status) of each booking sent, from the nodes' access logs."""
    paths = {person.path for person in people}
    return [
        (pid, status)
        for node in nodes
        for pid, path, status in node.served("POST")
        if path in paths
    ]


def test_two_people_race_for_the_last_place_on_two_nodes(nodes):
    (first, second), station, day = people_on_a_slot(2, places=1, nodes=nodes)
    assert first.node is not second.node  # two web nodes: two processes, two connections
    answers = all_send_at_once([first, second], slot_value(day, T9))

    assert sorted(a.status_code for a in answers.values()) == [200, 302]
    winner = next(p for p, a in answers.items() if a.status_code == 302)
    loser = next(p for p, a in answers.items() if a.status_code == 200)
    check_refused(loser, answers[loser], day)
    booked = Appointment.objects.filter(station=station, day=day, starts_at=T9, active=True)
    assert [a.application_id for a in booked] == [winner.application.pk]
    assert AppointmentSlot.objects.get(station=station, day=day, starts_at=T9).booked == 1
    posts = booking_posts(nodes, [first, second])
    assert len(posts) == 2 and len({pid for pid, _status in posts}) == 2, posts

    # the one refused books the next free time offered, on the page they were shown
    loser.token = TOKEN.search(answers[loser].text).group(1)
    assert loser.send(slot_value(day, T930)).status_code == 302
    assert Appointment.objects.get(application=loser.application).starts_at == T930


PEOPLE, PLACES = 10, 3


def test_a_burst_of_ten_people_on_a_slot_of_three_places(nodes):
    people, station, day = people_on_a_slot(
        PEOPLE, places=PLACES, nodes=nodes, languages=("zh-hans", "en")
    )
    answers = all_send_at_once(people, slot_value(day, T9))

    statuses = [answers[p].status_code for p in people]
    assert statuses.count(302) == PLACES, statuses
    booked = Appointment.objects.filter(station=station, day=day, starts_at=T9, active=True)
    assert booked.count() == PLACES
    assert {a.application_id for a in booked} == {
        p.application.pk for p in people if answers[p].status_code == 302
    }
    assert AppointmentSlot.objects.get(station=station, day=day, starts_at=T9).booked == PLACES
    assert Appointment.objects.filter(station=station).count() == PLACES  # nothing half-saved
    refused = [p for p in people if answers[p].status_code != 302]
    assert len(refused) == PEOPLE - PLACES
    for person in refused:
        check_refused(person, answers[person], day)
    assert {p.language for p in refused} == {"zh-hans", "en"}
    posts = booking_posts(nodes, people)
    assert len(posts) == PEOPLE
    assert len({pid for pid, _status in posts}) == 2, posts  # by both nodes' processes
    # the refusals took no place anywhere else
    others = AppointmentSlot.objects.filter(station=station, booked__gt=0).exclude(
        day=day, starts_at=T9
    )
    assert not others.exists()
