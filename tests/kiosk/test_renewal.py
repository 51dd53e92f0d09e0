"""A renewal (签注) at the kiosk, through its pages: the person chosen, materials from what the
portal holds or a scan, the submission confirmed with an SMS code (no password), and the printable
acknowledgement; the refusals of the phone pages hold here too."""

import pytest
from django.urls import reverse

from permits.constants import ApplicationState
from permits.models import PermitApplication
from tests.applicants.helpers import sms_code
from tests.kiosk.helpers import renewable_permit, sign_in
from tests.permits.factories import PermitFactory
from tests.permits.helpers import png
from tests.service_codes import Service

pytestmark = pytest.mark.django_db


def test_renewal_at_the_kiosk_confirmed_by_an_sms_code(screen, device_and_token):
    permit = renewable_permit()
    person = permit.holder
    user = person.account
    sign_in(screen, user)

    page = screen.get(reverse("kiosk:renew")).content.decode()
    assert permit.number in page and person.full_name not in page  # the name is masked
    response = screen.post(reverse("kiosk:renew"), {"person": person.pk})
    application = PermitApplication.objects.get(person=person, service=Service.RENEWAL)
    assert response["Location"] == reverse("kiosk:renew_materials", args=[application.pk])
    assert application.basis == permit.basis and application.state == ApplicationState.DRAFT

    materials = reverse("kiosk:renew_materials", args=[application.pk])
    page = screen.get(materials).content.decode()
    assert reverse("kiosk:renew_confirm", args=[application.pk]) not in page  # not complete
    screen.post(materials, {"action": "reuse", "code": "id_card"})  # the verified ID photos
    for code in application.missing_required_codes():
        response = screen.post(materials, {"action": "upload", "code": code, "file": png()})
        assert response.status_code == 302, response.content.decode()[:3000]
    assert application.missing_required_codes() == []
    assert application.current_materials().get(requirement__code="id_card").size > 0

    confirm = reverse("kiosk:renew_confirm", args=[application.pk])
    page = screen.get(confirm).content.decode()
    assert 'type="password"' not in page
    screen.post(confirm, {"action": "send"})
    code = sms_code(user.phone)
    wrong = "000000" if code != "000000" else "111111"
    response = screen.post(confirm, {"action": "submit", "code": wrong})
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT  # a wrong code sends nothing

    response = screen.post(confirm, {"action": "submit", "code": code})
    assert response["Location"] == reverse("kiosk:receipt", args=[application.pk])
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert application.transitions.get(transition="submit").actor == user

    receipt = screen.get(response["Location"]).content.decode()
    assert application.reference in receipt and "申请回执" in receipt
    assert device_and_token[0].station.name in receipt  # where it was sent from
    assert "data-print" in receipt
    # A second tap on "send" after it went: the receipt, not a second submission.
    again = screen.post(confirm, {"action": "submit", "code": code})
    assert again["Location"] == reverse("kiosk:receipt", args=[application.pk])

    listing = screen.get(reverse("kiosk:applications")).content.decode()
    assert application.reference in listing and "已提交" in listing


def test_a_permit_outside_the_window_is_shown_with_the_reason_and_cannot_start(screen):
    permit = PermitFactory()  # its year ends in about 165 days
    from tests.factories import RegistrationFactory

    RegistrationFactory(person=permit.holder, house=permit.house, registered=True)
    sign_in(screen, permit.holder.account)
    page = screen.get(reverse("kiosk:renew")).content.decode()
    assert "这张居住证今天不能签注" in page
    screen.post(reverse("kiosk:renew"), {"person": permit.holder.pk})
    assert not PermitApplication.objects.filter(person=permit.holder).exists()


def test_a_refused_upload_says_why_and_keeps_the_draft(screen):
    permit = renewable_permit()
    sign_in(screen, permit.holder.account)
    screen.post(reverse("kiosk:renew"), {"person": permit.holder.pk})
    application = PermitApplication.objects.get(person=permit.holder)
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png")
    response = screen.post(
        reverse("kiosk:renew_materials", args=[application.pk]),
        {"action": "upload", "code": "residence_permit", "file": bad},
    )
    assert response.status_code == 200
    assert 'class="k-error" role="alert"' in response.content.decode()
    assert not application.current_materials().exists()


def test_someone_elses_person_cannot_be_chosen(screen):
    mine = renewable_permit()
    other = renewable_permit()
    sign_in(screen, mine.holder.account)
    response = screen.post(reverse("kiosk:renew"), {"person": other.holder.pk})
    assert response.status_code == 404
    assert not PermitApplication.objects.filter(person=other.holder).exists()
