"""Issue 25, the statement test: every voice that states a date, a period, a status or an article
of a case (the papers read back from their PDF, the pages, My Affairs and the SMS, the API and
the public verification) says what ``permits.rules`` computes for that case, in both languages.

The cases: a refusal of each service (its article, the station that decides, the remedies from
receipt moved off rest days); an acceptance and a one-time notice inside the National Day
holidays (the working-day clock); a permit on the eve of its expiry, on the day and the day
after, with an on-time and a late renewal pending; a new applicant on the eve, the day and the
day after half a year of registration; a certificate whose holder moved away (cancelled); a
withdrawn case. Each comparison is counted per voice; the counts are printed at the end.
"""

from __future__ import annotations

import datetime
from collections import Counter
from contextlib import contextmanager

import pytest
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from core import clock
from notifications.models import Notification, SmsMessage
from permits import rules, service_types
from permits.constants import DocumentKind
from permits.selectors.documents import REASONS
from permits.services import applications as svc
from permits.services import documents as document_services
from permits.services import permits as permit_services
from permits.services.rendering import render_pdf
from permits.verification import STATUS_LABELS, verification_code
from tests.factories import RegistrationFactory, StaffFactory
from tests.permits.documents_support import pdf_text
from tests.permits.factories import ApplicationFactory, PermitFactory
from tests.permits.helpers import registered_person, staff_for, submitted
from tests.service_codes import Service

pytestmark = pytest.mark.django_db

LANGUAGES = ("zh-hans", "en")
FACTS: Counter = Counter()  # voice -> facts compared


@pytest.fixture(scope="module", autouse=True)
def _report(request):
    """At the end of the module: how many facts each voice was compared on (printed past
    pytest's output capture, so CI's log shows it)."""
    yield
    lines = [f"  {voice}: {count}" for voice, count in sorted(FACTS.items())]
    text = "\nissue 25 statement test, facts compared per voice:\n" + "\n".join(lines)
    text += f"\n  total: {sum(FACTS.values())}\n"
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if capture is not None:
        with capture.global_and_fixture_disabled():
            print(text)
    else:  # pragma: no cover
        print(text)


def flat(text: str, language: str) -> str:
    """Whitespace as a PDF reads back: none in Chinese, single spaces in English."""
    return "".join(text.split()) if language.startswith("zh") else " ".join(text.split())


def says(voice: str, expected, text: str, language: str = "en") -> None:
    expected = flat(str(expected), language)
    assert expected in flat(text, language), f"{voice} does not state {expected!r}"
    FACTS[voice] += 1


def printed(day: datetime.date, language: str) -> str:
    """A date as the papers print it (Chinese papers: 2026年12月7日)."""
    with translation.override(language):
        return formats.date_format(day)


@contextmanager
def on(day: datetime.date, monkeypatch):
    """The portal's clock on ``day`` at 10:00 (both ``core.clock`` and Django's ``now``)."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    with monkeypatch.context() as patch:
        patch.setattr(timezone, "now", lambda: moment)
        patch.setattr(clock, "today", lambda: day)
        yield


def paper_texts(document) -> dict[str, str]:
    """The paper read back from its PDF, in each language."""
    texts = {}
    for language in LANGUAGES:
        document.language = language
        texts[language] = pdf_text(render_pdf(document))
    return texts


# --- a refusal of each service ------------------------------------------------------------------


@pytest.mark.parametrize("service", list(service_types.codes()))
def test_a_refusal_states_its_article_station_and_remedies(service, client):
    decided_on = datetime.date(2026, 8, 2)  # + 60 days = 10-01, National Day
    moment = timezone.make_aware(datetime.datetime.combine(decided_on, datetime.time(10)))
    app = ApplicationFactory(
        service=service,
        rejected=True,
        submitted_at=moment,
        decided_at=moment,
        rejection_reason="not_eligible",
    )
    officer = StaffFactory(officer=True, station=app.station)
    document = document_services.issue_for_application(
        app, DocumentKind.REFUSAL, by=officer, event_key="reject", from_state="submitted"
    )
    reconsider_by, sue_by = rules.remedy_deadlines(decided_on)
    for language, text in paper_texts(document).items():
        with translation.override(language):
            article = str(service_types.get(service).conditions_basis)
            title = document.paper.title_for(document)
        says("paper: refusal", article, text, language)
        says("paper: refusal", title, text, language)
        says("paper: refusal", printed(decided_on, language), text, language)
        says("paper: refusal", printed(reconsider_by, language), text, language)
        says("paper: refusal", printed(sue_by, language), text, language)
        says("paper: refusal", app.station.name, text, language)
        with translation.override(language):
            verified = client.get(
                reverse("document-verify", args=[document.code]), HTTP_ACCEPT_LANGUAGE=language
            ).content
            api = APIClient().get(
                reverse("api:document-verify", args=[document.code]),
                HTTP_ACCEPT_LANGUAGE=language,
            )
        says("verification page", title, verified.decode(), language)
        says("verification page", app.station.name, verified.decode(), language)
        says("verification API", title, api.json()["kind_display"], language)


# --- the working-day clock across the National Day holidays -------------------------------------


def test_acceptance_and_one_time_notice_inside_the_national_day_holidays(client, monkeypatch):
    mode = rules.configured_day_mode()
    with on(datetime.date(2026, 9, 29), monkeypatch):
        noticed = submitted(registered_person(months=12), Service.NEW)
        accepted = submitted(registered_person(months=12), Service.NEW)
    staff = staff_for(noticed.station)
    requested_on = datetime.date(2026, 9, 30)
    with on(requested_on, monkeypatch):
        svc.request_supplement(
            user=staff["officer"],
            application=noticed,
            items=[{"code": noticed.requirements()[0].code, "reason": "unclear", "note": ""}],
        )
    supply_by = rules.supply_due_by(requested_on, mode=mode)
    notice = noticed.documents.get(kind=DocumentKind.SUPPLEMENT)
    for language, text in paper_texts(notice).items():
        says("paper: one-time notice", printed(requested_on, language), text, language)
        says("paper: one-time notice", printed(supply_by, language), text, language)
        says("paper: one-time notice", f"{rules.SUPPLY_DAYS}", text, language)
    inbox = Notification.objects.get(recipient=noticed.filed_by, kind="supplement_requested")
    says("My Affairs", noticed.reference, inbox.body)

    accepted_on = datetime.date(2026, 10, 3)  # a holiday: the clock starts on it all the same
    officer = staff_for(accepted.station)["officer"]
    with on(accepted_on, monkeypatch):
        svc.accept(user=officer, application=accepted)
    accepted.refresh_from_db()
    deadline = rules.decision_deadline(accepted_on, mode=mode)
    assert accepted.deadline == deadline
    FACTS["case (the act's own record)"] += 1
    acceptance = accepted.documents.get(kind=DocumentKind.ACCEPTANCE)
    for language, text in paper_texts(acceptance).items():
        says("paper: acceptance", printed(accepted_on, language), text, language)
        says("paper: acceptance", printed(deadline, language), text, language)
        says("paper: acceptance", f"{rules.DECISION_DAYS}", text, language)
    inbox = Notification.objects.get(recipient=accepted.filed_by, kind="application_accepted")
    says("My Affairs", deadline.isoformat(), inbox.body)
    sms = SmsMessage.objects.get(notification=inbox)
    says("SMS", accepted.reference, sms.body)
    client.force_login(accepted.filed_by)
    for language in LANGUAGES:
        page = client.get(
            reverse("permits:application_detail", args=[accepted.pk]),
            HTTP_ACCEPT_LANGUAGE=language,
        ).content.decode()
        says("page: application", deadline.isoformat(), page, language)
    api = APIClient()
    api.force_authenticate(accepted.filed_by)
    answer = api.get(reverse("api:application", args=[accepted.pk])).json()
    says("API: application", deadline.isoformat(), str(answer.get("deadline")))


# --- a permit on the eve of its expiry, the day and the day after; renewals pending -------------


@pytest.mark.parametrize("shift", [-1, 0, 1])
@pytest.mark.parametrize("renewal", [None, "on_time", "late"])
def test_verification_and_certificate_say_what_the_permit_is_today(shift, renewal, monkeypatch):
    valid_until = datetime.date(2026, 10, 4)  # inside the National Day holidays
    today = valid_until + datetime.timedelta(days=shift)
    permit = PermitFactory(issued_on=datetime.date(2025, 10, 4), valid_until=valid_until)
    filed_on = None
    if renewal:
        filed_on = valid_until - datetime.timedelta(days=3) if renewal == "on_time" else today
        moment = timezone.make_aware(datetime.datetime.combine(filed_on, datetime.time(9)))
        ApplicationFactory(
            service=Service.RENEWAL, person=permit.holder, permit=permit, submitted=True,
            submitted_at=moment,
        )  # fmt: skip
    in_use = rules.is_in_use(
        valid_until=valid_until,
        today=today,
        renewal_filed_on=filed_on if filed_on and filed_on <= today else None,
    )
    expected = "valid" if in_use else "suspended"
    code = verification_code(permit)
    with on(today, monkeypatch):
        for language in LANGUAGES:
            page = APIClient().get(f"/verify/{code}/", HTTP_ACCEPT_LANGUAGE=language)
            with translation.override(language):
                label = str(STATUS_LABELS[expected])
            says("verification page", label, page.content.decode(), language)
            says("verification page", valid_until.strftime("%Y-%m-%d"), page.content.decode())
            answer = APIClient().get(f"/api/v1/verify/{code}/", HTTP_ACCEPT_LANGUAGE=language)
            says("verification API", expected, answer.json()["status"])
            says("verification API", valid_until.isoformat(), answer.json()["valid_until"])
        client = APIClient()
        client.force_login(permit.holder.account)
        client.post(reverse("permits:residence_certificate"), {"permit": permit.pk})
    issued = permit.documents.filter(kind=DocumentKind.RESIDENCE_CERTIFICATE).exists()
    assert issued == in_use
    FACTS["page: residence certificate (issued or refused)"] += 1


# --- half a year of registration: the eve, the day, the day after -------------------------------


@pytest.mark.parametrize("shift", [-1, 0, 1])
def test_the_start_page_says_when_a_new_permit_is_possible(shift, client, monkeypatch):
    registered_on = datetime.date(2026, 4, 1)
    moment = timezone.make_aware(datetime.datetime.combine(registered_on, datetime.time(10)))
    typed = registered_on - datetime.timedelta(days=200)  # the move-in date typed: not counted
    registration = RegistrationFactory(registered=True, since=typed, registered_at=moment)
    person = registration.person
    eligible_from = rules.residence_eligible_from(registered_on)
    today = eligible_from + datetime.timedelta(days=shift)
    eligible = rules.has_resided_long_enough(registered_on, today)
    client.force_login(person.account)
    with on(today, monkeypatch):
        for language in LANGUAGES:
            response = client.post(
                reverse("permits:application_start"),
                {"service": Service.NEW, "person": person.pk},
                HTTP_ACCEPT_LANGUAGE=language,
            )
            if eligible:
                assert response.status_code == 302
                FACTS["page: start (eligible)"] += 1
                break
            says("page: start", eligible_from.isoformat(), response.content.decode(), language)
            months = rules.months_resided(registered_on, today)
            says("page: start", f"{months}", response.content.decode(), language)


# --- moved away: the certificate, the personal center, the permit's own check -------------------


def test_a_holder_who_moved_away(client, monkeypatch):
    registered_on = datetime.date(2025, 3, 10)
    moment = timezone.make_aware(datetime.datetime.combine(registered_on, datetime.time(10)))
    registration = RegistrationFactory(registered=True, since=registered_on, registered_at=moment)
    person = registration.person
    clerk = StaffFactory(clerk=True, station=registration.station)
    issued_on = datetime.date(2025, 9, 20)
    with on(issued_on, monkeypatch):
        permit = permit_services.issue_permit(
            by=clerk, holder=person, house=registration.house, basis=registration.basis,
            issued_on=issued_on, card_serial=permit_services.next_card_serial(),
        )  # fmt: skip
    today = datetime.date(2026, 6, 30)
    since = rules.residence_chain_start([(registered_on, None)])
    years, months = rules.years_and_months(since, today)
    with on(today, monkeypatch):
        certificate = document_services.issue_residence_certificate(
            user=person.account, permit=permit
        )
        for language, text in paper_texts(certificate).items():
            says("paper: certificate", printed(since, language), text, language)
            with translation.override(language):
                span = gettext("%(years)s year(s) and %(months)s month(s)") % {
                    "years": years, "months": months,
                }  # fmt: skip
            says("paper: certificate", span, text, language)
            says("paper: certificate", printed(certificate.valid_until, language), text, language)
            assert certificate.valid_until == rules.residence_certificate_valid_until(today)
            says("paper: certificate", person.id_number, text, language)  # in full, on purpose
        client.force_login(person.account)
        for language in LANGUAGES:
            center = client.get(reverse("applicants:me"), HTTP_ACCEPT_LANGUAGE=language)
            with translation.override(language):
                line = gettext("%(years)s years %(months)s months (counted since %(since)s)") % {
                    "years": years, "months": months, "since": since.strftime("%Y-%m-%d"),
                }  # fmt: skip
            says("page: personal center", line, center.content.decode(), language)
        api = APIClient()
        api.force_authenticate(person.account)
        answer = api.get(reverse("api:permit", args=[permit.pk])).json()
        says("API: permit", since.isoformat(), answer["continuous_since"])
        officer = StaffFactory(officer=True, station=permit.station)
        permit_services.cancel_permit(user=officer, permit=permit, moved_on=today)
        for language in LANGUAGES:
            page = client.get(
                reverse("document-verify", args=[certificate.code]), HTTP_ACCEPT_LANGUAGE=language
            ).content.decode()
            with translation.override(language):
                reason = str(REASONS["no_longer_holds"])
            says("verification page", reason, page, language)
        answer = APIClient().get(reverse("api:document-verify", args=[certificate.code])).json()
        says("verification API", "no_longer_holds", answer["reason"])
        check = APIClient().get(f"/api/v1/verify/{verification_code(permit)}/").json()
        says("verification API", "invalid", check["status"])


# --- a withdrawn case ---------------------------------------------------------------------------


def test_a_withdrawn_case_states_it_everywhere(client):
    app = ApplicationFactory(withdrawn=True)
    client.force_login(app.filed_by)
    for language in LANGUAGES:
        with translation.override(language):
            label = str(app.get_state_display())
        page = client.get(
            reverse("permits:application_detail", args=[app.pk]), HTTP_ACCEPT_LANGUAGE=language
        ).content.decode()
        says("page: application", label, page, language)
        api = APIClient()
        api.force_authenticate(app.filed_by)
        answer = api.get(reverse("api:application", args=[app.pk]), HTTP_ACCEPT_LANGUAGE=language)
        says("API: application", "withdrawn", answer.json()["state"])
        says("API: application", label, answer.json().get("state_display", ""), language)
