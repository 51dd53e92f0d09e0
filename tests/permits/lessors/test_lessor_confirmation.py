"""Issue 31, point 2: the lessor's confirmation of a tenant's address (seed 001 procedure 1,
seed 004 Art. 9): asked by the tenant, answered by the lessor from a single-use signed link
after proving the phone with a code, seen by the officer as material (who, when). It cannot be
forged, reused or made for another house."""

import datetime
import re

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applicants.models import PhoneCode
from notifications.models import SmsMessage
from permits.constants import LessorConfirmationState
from permits.models import LessorConfirmation, ResidenceRegistration
from permits.selectors.lessors import LINK_SALT
from permits.services import applications as svc
from permits.services import lessors as lessor_services
from tests.applicants.helpers import sms_code
from tests.factories import PASSWORD, HouseFactory, IdentityFactory, StaffFactory
from tests.permits.helpers import png, registered_person
from tests.service_codes import Service

pytestmark = pytest.mark.django_db

LESSOR = "+8613912345678"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _text(response) -> str:
    return response.content.decode()


def _link_path(phone=LESSOR) -> str:
    body = SmsMessage.objects.filter(recipient_phone=phone).order_by("-pk").first().body
    return re.search(r"https?://[^/\s]+(/\S*lessor/\S+/)", body).group(1)


def _register_rented(client, person, house, **overrides):
    client.force_login(person.account)
    data = {
        "person": person.pk,
        "house_code": house.code,
        "since": (timezone.localdate() - datetime.timedelta(days=10)).isoformat(),
        "basis": "residence",
        "lessor_phone": "139 1234 5678",
        **overrides,
    }
    return client.post(reverse("permits:registration_new"), data)


def _prove_and(lessor: Client, path: str, action: str, name: str = "房东张"):
    assert lessor.post(path, {"action": "send_code"}).status_code == 200
    assert lessor.post(path, {"action": "prove", "code": sms_code(LESSOR)}).status_code == 200
    return lessor.post(path, {"action": action, "lessor_name": name})


@pytest.fixture
def rented(client):
    """A tenant registered at a rented house, the lessor asked by SMS (no lease uploaded)."""
    person = IdentityFactory(verified=True, full_name="王小明")
    house = HouseFactory()
    response = _register_rented(client, person, house)
    assert response.status_code == 302, _text(response)[:2000]
    registration = ResidenceRegistration.objects.get(person=person)
    return registration


def test_a_rented_registration_needs_no_lease_and_the_lessor_confirms_by_the_link(rented):
    registration = rented
    confirmation = LessorConfirmation.objects.get(registration=registration)
    assert not registration.proof
    assert confirmation.house_id == registration.house_id
    assert confirmation.state == LessorConfirmationState.PENDING
    path = _link_path()

    lessor = Client(**EN)
    page = _text(lessor.get(path))
    # the address and the masked tenant, nothing else of the person
    assert registration.house.address in page and "王**" in page
    assert "王小明" not in page and registration.person.id_number not in page
    assert "+86139****5678" in page
    # no answer before the phone is proven
    lessor.post(path, {"action": "confirm", "lessor_name": "X"})
    confirmation.refresh_from_db()
    assert confirmation.state == LessorConfirmationState.PENDING

    done = _prove_and(lessor, path, "confirm")

    assert "You confirmed the address" in _text(done)
    assert PhoneCode.objects.get(phone=LESSOR).purpose == "lessor_confirm"
    confirmation.refresh_from_db()
    assert confirmation.state == LessorConfirmationState.CONFIRMED
    assert confirmation.lessor_name == "房东张" and confirmation.decided_at is not None
    assert confirmation.transitions.filter(to_state="confirmed").exists()
    # the tenant hears of it in My Affairs and by SMS
    from notifications.models import Notification

    notice = Notification.objects.get(recipient=registration.person.account, kind="lessor_answered")
    assert registration.house.address in notice.body
    assert SmsMessage.objects.filter(notification=notice).exists()
    # the officer sees who and when, in place of the lease scan
    officer = Client(**EN)
    officer.force_login(StaffFactory(officer=True, station=registration.station))
    admin_page = _text(
        officer.get(reverse("admin:permits_residenceregistration_change", args=[registration.pk]))
    )
    assert "Confirmed by the lessor 房东张 (+86139****5678, phone proven) at" in admin_page
    assert "the lessor&#x27;s confirmation stands for it" in admin_page
    # and the tenant on the registration's page
    tenant = Client(**EN)
    tenant.force_login(registration.person.account)
    detail = _text(tenant.get(reverse("permits:registration_detail", args=[registration.pk])))
    assert "Confirmed by the lessor" in detail


def test_the_lessor_may_decline(rented):
    done = _prove_and(Client(**EN), _link_path(), "decline")
    assert "You declined" in _text(done)
    confirmation = LessorConfirmation.objects.get(registration=rented)
    assert confirmation.state == LessorConfirmationState.DECLINED


def test_without_a_lessor_or_for_another_basis_the_proof_is_required_and_input_kept(client):
    person = IdentityFactory(verified=True)
    house = HouseFactory()
    for overrides in ({"lessor_phone": ""}, {"basis": "employment"}):
        response = _register_rented(client, person, house, **overrides)
        assert response.status_code == 200
        assert "Upload the proof document." in _text(response)
        assert house.code in _text(response)
    assert not ResidenceRegistration.objects.exists()
    assert not LessorConfirmation.objects.exists()


def test_the_tenant_cannot_name_their_own_phone(client):
    person = IdentityFactory(verified=True)
    response = _register_rented(client, person, HouseFactory(), lessor_phone=person.account.phone)
    assert "Enter the lessor&#x27;s phone, not your own." in _text(response)
    assert not ResidenceRegistration.objects.exists()  # nothing half-saved
    assert not SmsMessage.objects.exists()


def test_a_wrong_code_proves_nothing(rented):
    path = _link_path()
    lessor = Client(**EN)
    lessor.post(path, {"action": "send_code"})
    good = sms_code(LESSOR)
    wrong = "000000" if good != "000000" else "111111"
    page = _text(lessor.post(path, {"action": "prove", "code": wrong}))
    assert "tries left" in page
    lessor.post(path, {"action": "confirm", "lessor_name": "X"})
    assert LessorConfirmation.objects.get().state == LessorConfirmationState.PENDING


# --- forgery ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "forge",
    [
        lambda token, c: "x" + token[1:],  # tampered
        lambda token, c: token[:-3] + "abc",  # tampered signature
        lambda token, c: signing.dumps(  # another salt (another link kind of the portal)
            {"c": c.pk, "h": c.house_id, "n": c.link_nonce}, salt="permits.rating-link"
        ),
        lambda token, c: signing.dumps(  # a guessed nonce
            {"c": c.pk, "h": c.house_id, "n": "guess"}, salt=LINK_SALT
        ),
        lambda token, c: signing.dumps(c.pk, salt=LINK_SALT),  # the rating link's shape
        lambda token, c: "not-a-token",
    ],
)
def test_a_forged_link_answers_404_and_decides_nothing(rented, forge):
    confirmation = LessorConfirmation.objects.get()
    token = _link_path().split("/")[-2]
    forged = forge(token, confirmation)
    lessor = Client(**EN)
    path = reverse("permits:lessor_confirm", args=[forged])
    assert lessor.get(path).status_code == 404
    assert lessor.post(path, {"action": "send_code"}).status_code == 404
    assert not PhoneCode.objects.exists()
    confirmation.refresh_from_db()
    assert confirmation.state == LessorConfirmationState.PENDING


def test_a_link_for_another_house_is_refused(rented, client):
    """A link whose payload names another house (even signed with the portal's key) never
    speaks for this one; nor does a confirmation of one house stand for another's lease."""
    confirmation = LessorConfirmation.objects.get()
    other = HouseFactory()
    token = signing.dumps(
        {"c": confirmation.pk, "h": other.pk, "n": confirmation.link_nonce}, salt=LINK_SALT
    )
    assert Client().get(reverse("permits:lessor_confirm", args=[token])).status_code == 404


def test_a_confirmation_never_stands_for_another_houses_lease(client):
    """Confirmed at house A, then registered at house B: B's lease step offers nothing."""
    person = registered_person(months=8)
    old_registration = person.registrations.get()
    old_registration.proof.save("lease.png", png().file, save=True)
    lessor_services.request_confirmation(
        user=person.account, registration=old_registration, lessor_phone=LESSOR
    )
    _prove_and(Client(**EN), _link_path(), "confirm")
    draft = svc.start_application(
        user=person.account,
        person=person,
        service=Service.NEW,
        basis="residence",
        answers={"household_region": "110101"},
    )
    step = reverse("permits:application_step_material", args=[draft.pk, "residence_proof"])
    client.force_login(person.account)
    assert "Use your lessor&#x27;s confirmation" in _text(client.get(step, **EN))
    # moved: the registration at the new house has no confirmation of its own
    house_b = HouseFactory()
    type(old_registration).objects.filter(pk=old_registration.pk).update(state="cancelled")
    new_registration = type(old_registration).objects.create(
        person=person,
        house=house_b,
        since=timezone.localdate(),
        basis="residence",
    )
    draft.registration = new_registration
    draft.save()
    page = _text(client.get(step, **EN))
    assert "Use your lessor&#x27;s confirmation" not in page
    client.post(step, {"reuse": "1"})
    assert not draft.current_materials().exists()


# --- reuse ----------------------------------------------------------------------------------


@pytest.mark.parametrize("first", ["confirm", "decline"])
def test_a_used_link_answers_410_and_changes_nothing(rented, first):
    path = _link_path()
    _prove_and(Client(**EN), path, first)
    confirmation = LessorConfirmation.objects.get()
    decided = (confirmation.state, confirmation.decided_at, confirmation.version)

    again = Client(**EN)
    assert again.get(path).status_code == 410
    flip = "decline" if first == "confirm" else "confirm"
    response = _prove_and_expect_gone(again, path, flip)

    assert response.status_code == 410
    confirmation.refresh_from_db()
    assert (confirmation.state, confirmation.decided_at, confirmation.version) == decided


def _prove_and_expect_gone(lessor, path, action):
    lessor.post(path, {"action": "send_code"})
    return lessor.post(path, {"action": action, "lessor_name": "Y"})


def test_the_same_browser_cannot_answer_twice(rented):
    path = _link_path()
    lessor = Client(**EN)
    _prove_and(lessor, path, "confirm")
    response = lessor.post(path, {"action": "decline"})
    assert response.status_code == 410
    assert LessorConfirmation.objects.get().state == LessorConfirmationState.CONFIRMED


def test_a_link_sent_again_makes_the_earlier_one_stop_working(rented, client, settings):
    settings.PHONE_CODE_MIN_INTERVAL_SECONDS = 0
    first = _link_path()
    confirmation = LessorConfirmation.objects.get()
    # proven on the first link
    lessor = Client(**EN)
    lessor.post(first, {"action": "send_code"})
    lessor.post(first, {"action": "prove", "code": sms_code(LESSOR)})
    LessorConfirmation.objects.filter(pk=confirmation.pk).update(
        requested_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    client.force_login(rented.person.account)
    response = client.post(
        reverse("permits:registration_ask_lessor", args=[rented.pk]), {"lessor_phone": LESSOR}
    )
    assert response.status_code == 302
    second = _link_path()
    assert second != first
    assert lessor.post(first, {"action": "confirm", "lessor_name": "Z"}).status_code == 404
    # the phone proven on the old link does not carry over to the new one
    lessor.post(second, {"action": "confirm", "lessor_name": "Z"})
    assert LessorConfirmation.objects.get().state == LessorConfirmationState.PENDING
    assert _prove_and(lessor, second, "confirm").status_code == 200
    assert LessorConfirmation.objects.get().state == LessorConfirmationState.CONFIRMED


def test_an_expired_link_answers_410(rented, settings):
    path = _link_path()
    settings.LESSOR_LINK_MAX_AGE_DAYS = -1
    assert Client(**EN).get(path).status_code == 410


def test_only_the_tenant_may_ask(rented, client):
    stranger = IdentityFactory(verified=True)
    client.force_login(stranger.account)
    response = client.post(
        reverse("permits:registration_ask_lessor", args=[rented.pk]),
        {"lessor_phone": "+8613900000001"},
    )
    assert response.status_code == 404
    assert not SmsMessage.objects.filter(recipient_phone="+8613900000001").exists()


# --- the lease material of an application -----------------------------------------------------


def test_a_confirmed_lessor_stands_for_the_lease_material_and_the_desk_shows_who_and_when(client):
    person = registered_person(months=8)
    registration = person.registrations.get()
    draft = svc.start_application(
        user=person.account,
        person=person,
        service=Service.NEW,
        basis="residence",
        answers={"household_region": "110101"},
    )
    client.force_login(person.account)
    step = reverse("permits:application_step_material", args=[draft.pk, "residence_proof"])
    page = _text(client.get(step, **EN))
    assert "Ask the lessor to confirm" in page  # the lease step asks the lessor
    response = client.post(
        reverse("permits:application_ask_lessor", args=[draft.pk, "residence_proof"]),
        {"lessor_phone": LESSOR},
    )
    assert response.status_code == 302 and response.url == step
    confirmation = LessorConfirmation.objects.get()
    assert confirmation.registration == registration
    _prove_and(Client(**EN), _link_path(), "confirm")

    assert "Use your lessor&#x27;s confirmation" in _text(client.get(step, **EN))
    assert client.post(step, {"reuse": "1"}).status_code == 302
    material = draft.current_materials().get(requirement__code="residence_proof")
    assert material.lessor_confirmation == confirmation
    assert material.file.read(5) == b"%PDF-"
    assert "residence_proof" not in draft.missing_required_codes()
    # submitted, the officer's desk shows the confirmation as the material
    for requirement in draft.requirements():
        if requirement.required and requirement.code != "residence_proof":
            svc.upload_material(
                user=person.account,
                application=draft,
                requirement_code=requirement.code,
                file=png(),
            )
    svc.submit(user=person.account, application=draft, password=PASSWORD)
    officer = Client(**EN)
    officer.force_login(StaffFactory(officer=True, station=draft.station))
    desk = _text(officer.get(reverse("admin:permits_permitapplication_change", args=[draft.pk])))
    assert "Confirmed by the lessor 房东张 (+86139****5678, phone proven) at" in desk


def test_an_address_change_asks_the_lessor_but_an_employer_change_does_not(client):
    from tests.permits.factories import PermitFactory

    person = registered_person(months=8)
    permit = PermitFactory(holder=person, house=HouseFactory())
    draft = svc.start_application(
        user=person.account,
        person=person,
        service=Service.CHANGE,
        answers={
            "changed_field": "address",
            "new_value": "新地址",
            "changed_on": timezone.localdate().isoformat(),
        },
    )
    assert draft.permit == permit
    client.force_login(person.account)
    step = reverse("permits:application_step_material", args=[draft.pk, "change_proof"])
    assert "Ask the lessor to confirm" in _text(client.get(step, **EN))
    ask = reverse("permits:application_ask_lessor", args=[draft.pk, "change_proof"])
    assert client.post(ask, {"lessor_phone": LESSOR}).status_code == 302
    assert LessorConfirmation.objects.get().house == draft.registration.house

    draft.answers = {**draft.answers, "changed_field": "employer"}
    draft.save()
    assert "Ask the lessor to confirm" not in _text(client.get(step, **EN))
    assert client.post(ask, {"lessor_phone": "+8613900000002"}).status_code == 404


# --- the API ---------------------------------------------------------------------------------


def test_the_api_registers_a_rented_house_and_asks_again(client):
    person = IdentityFactory(verified=True)
    house = HouseFactory()
    client.force_login(person.account)
    response = client.post(
        reverse("api:registrations"),
        {
            "house_code": house.code,
            "since": (timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
            "basis": "residence",
            "lessor_phone": LESSOR,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["lessor_confirmation"]["state"] == "pending"
    assert body["lessor_confirmation"]["lessor_phone_masked"] == "+86139****5678"
    LessorConfirmation.objects.update(requested_at=timezone.now() - datetime.timedelta(hours=1))
    again = client.post(
        reverse("api:registration-lessor", args=[body["id"]]),
        {"lessor_phone": "+8613912340000"},
        content_type="application/json",
    )
    assert again.status_code == 200, again.content
    assert again.json()["lessor_confirmation"]["lessor_phone_masked"] == "+86139****0000"
    # another account's registration: 404
    stranger = IdentityFactory(verified=True)
    client.force_login(stranger.account)
    refused = client.post(
        reverse("api:registration-lessor", args=[body["id"]]),
        {"lessor_phone": LESSOR},
        content_type="application/json",
    )
    assert refused.status_code == 404


def test_the_api_refuses_a_residence_without_proof_or_lessor(client):
    person = IdentityFactory(verified=True)
    client.force_login(person.account)
    response = client.post(
        reverse("api:registrations"),
        {
            "house_code": HouseFactory().code,
            "since": timezone.localdate().isoformat(),
            "basis": "residence",
        },
    )
    assert response.status_code == 400
    assert "proof" in response.json().get("fields", response.json())


def test_a_link_of_an_ended_registration_answers_410(rented):
    path = _link_path()
    ResidenceRegistration.objects.filter(pk=rented.pk).update(state="rejected")
    assert Client(**EN).get(path).status_code == 410
    assert LessorConfirmation.objects.get().state == LessorConfirmationState.PENDING


def test_the_daily_retention_job_clears_the_lessors_phone_and_name_after_the_period(
    client, settings
):
    """Gap of issue 31: the lessor's phone and name are personal data kept only as long as the
    registration's proof (the confirmation stands in for the lease): the daily job empties them
    ``RETENTION_REGISTRATION_PROOFS_DAYS`` after the registration ended; an open one keeps them."""
    from permits.models import RegistrationTransition
    from permits.services.registrations import reject_registration
    from permits.tasks import delete_expired_files

    settings.RETENTION_REGISTRATION_PROOFS_DAYS = 365
    first = ResidenceRegistration.objects.get(
        pk=_register_and_confirm(client, IdentityFactory(verified=True), HouseFactory())
    )
    still_open = _register_rented(client, IdentityFactory(verified=True), HouseFactory())
    assert still_open.status_code == 302
    officer = StaffFactory(officer=True, station=first.station)
    reject_registration(registration=first, by=officer, note="moved before it was recorded")
    confirmation = LessorConfirmation.objects.get(registration=first)
    assert confirmation.lessor_phone == LESSOR and confirmation.lessor_name == "房东张"

    def aged(days):
        then = timezone.now() - datetime.timedelta(days=days)
        ResidenceRegistration.objects.filter(pk=first.pk).update(created_at=then)
        RegistrationTransition.objects.filter(registration=first).update(created_at=then)

    aged(300)  # ended, but the period is not over
    delete_expired_files.apply().get()
    confirmation.refresh_from_db()
    assert confirmation.lessor_phone == LESSOR and confirmation.lessor_name == "房东张"

    aged(366)
    totals = delete_expired_files.apply().get()
    assert totals["lessor_confirmations"] == {"rows": 1, "files": 0}
    confirmation.refresh_from_db()
    assert confirmation.lessor_phone == "" and confirmation.lessor_name == ""
    assert confirmation.state == LessorConfirmationState.CONFIRMED  # the record stays
    assert LessorConfirmation.objects.exclude(registration=first).get().lessor_phone != ""
    # the officer's page no longer names the lessor
    page = Client(**EN)
    page.force_login(officer)
    admin_page = _text(
        page.get(reverse("admin:permits_residenceregistration_change", args=[first.pk]))
    )
    assert "房东张" not in admin_page and "5678" not in admin_page
    # a second run empties nothing more
    assert delete_expired_files.apply().get()["lessor_confirmations"]["rows"] == 0


def _register_and_confirm(client, person, house) -> int:
    response = _register_rented(client, person, house)
    assert response.status_code == 302, _text(response)[:2000]
    assert "confirmed" in _text(_prove_and(Client(**EN), _link_path(), "confirm"))
    return ResidenceRegistration.objects.get(person=person).pk
