import datetime

import pytest
from django.urls import reverse

from applicants import services
from applicants.constants import IdentityState
from applicants.models import Identity, IdentityTransition
from core.errors import InvalidInput, NotAllowed
from notifications.models import Notification, SmsMessage
from tests.applicants.helpers import exif_with_gps, image_bytes, pdf_bytes, png_bomb, upload
from tests.factories import IdentityFactory, StaffFactory, UserFactory, make_id_number

pytestmark = pytest.mark.django_db


def photos():
    return {
        "id_card_front": upload("front.jpg", image_bytes("JPEG", exif=exif_with_gps())),
        "id_card_back": upload("back.png"),
        "face_photo": upload("face.webp", image_bytes("WEBP")),
    }


def form_data(**overrides):
    data = {"full_name": "王小明", "id_number": make_id_number(7)}
    data.update(overrides)
    return data


def test_submit_identity_page_derives_birth_and_sex(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("applicants:identity"), {**form_data(), **photos()})
    assert response.status_code == 302
    identity = user.own_identity
    assert identity.state == IdentityState.PENDING
    assert identity.birth_date == datetime.date(1990, 3, 7)
    assert identity.sex == "M"  # 17th digit 7
    stored = identity.id_card_front.read()
    assert b"SecretPhoneMaker" not in stored
    assert "front" not in identity.id_card_front.name
    assert identity.id_number not in identity.id_card_front.name
    assert IdentityTransition.objects.filter(identity=identity, to_state="pending").exists()


@pytest.mark.parametrize(
    ("id_number", "expected"),
    [
        ("110101199003074478", "check digit"),
        ("110101199002301232", None),  # replaced below with a right check digit
        ("999999199003071230", None),
    ],
)
def test_identity_form_explains_bad_numbers(client, id_number, expected):
    from tests.factories import gb11643_check_digit

    if expected is None:
        id_number = id_number[:17] + gb11643_check_digit(id_number[:17])
        expected = "date of birth" if id_number.startswith("110101") else "region code"
    client.force_login(UserFactory())
    response = client.post(
        reverse("applicants:identity"), {**form_data(id_number=id_number), **photos()}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "error-summary" in body
    assert expected in body
    assert 'value="王小明"' in body  # typed input kept
    assert f'value="{id_number}"' in body


def test_identity_form_refuses_fake_image_and_bomb(client):
    client.force_login(UserFactory())
    files = photos()
    files["id_card_front"] = upload("front.jpg", b"not really a jpeg", "image/jpeg")
    files["face_photo"] = upload("face.png", png_bomb())
    response = client.post(reverse("applicants:identity"), {**form_data(), **files})
    body = response.content.decode()
    assert response.status_code == 200
    assert "not a JPEG, PNG or WebP image" in body
    assert "too many pixels" in body
    assert not Identity.objects.exists()


def test_identity_form_refuses_oversized_image(client, settings):
    settings.UPLOAD_MAX_BYTES = 200
    client.force_login(UserFactory())
    response = client.post(reverse("applicants:identity"), {**form_data(), **photos()})
    assert "too large" in response.content.decode()


def test_verify_notifies_inbox_and_sms():
    identity = IdentityFactory(pending=True)
    officer = StaffFactory(officer=True)
    services.verify_identity(identity=identity, by=officer)
    identity.refresh_from_db()
    assert identity.state == IdentityState.VERIFIED
    assert identity.decided_by == officer
    note = Notification.objects.get(recipient=identity.account, kind="identity_verified")
    assert note.sms.recipient_phone == identity.account.phone
    assert SmsMessage.objects.filter(notification=note).exists()


def test_reject_then_resubmit_then_reject_again_notifies_twice(client):
    identity = IdentityFactory(pending=True)
    officer = StaffFactory(officer=True)
    services.reject_identity(identity=identity, by=officer, reason="photo_unclear", note="模糊")
    identity.refresh_from_db()
    assert identity.state == IdentityState.REJECTED
    client.force_login(identity.account)
    page = client.get(reverse("applicants:me")).content.decode()
    assert "模糊" in page
    response = client.post(
        reverse("applicants:identity"),
        {"full_name": identity.full_name, "id_number": identity.id_number},
    )  # photos on file are kept
    assert response.status_code == 302
    identity.refresh_from_db()
    assert identity.state == IdentityState.PENDING
    services.reject_identity(identity=identity, by=officer, reason="other", note="again")
    assert Notification.objects.filter(kind="identity_rejected").count() == 2


def test_reject_other_needs_text():
    identity = IdentityFactory(pending=True)
    with pytest.raises(InvalidInput):
        services.reject_identity(
            identity=identity, by=StaffFactory(officer=True), reason="other", note=""
        )


def test_applicant_cannot_verify():
    identity = IdentityFactory(pending=True)
    with pytest.raises(NotAllowed):
        services.verify_identity(identity=identity, by=identity.account)
    with pytest.raises(NotAllowed):
        services.verify_identity(identity=identity, by=StaffFactory(clerk=True))


def test_one_verified_account_per_id_number():
    number = make_id_number(42)
    IdentityFactory(verified=True, id_number=number)
    second = IdentityFactory(pending=True, id_number=number)
    with pytest.raises(InvalidInput) as err:
        services.verify_identity(identity=second, by=StaffFactory(officer=True))
    assert "Another account already has a verified identity" in err.value.messages[0]
    second.refresh_from_db()
    assert second.state == IdentityState.PENDING


def test_database_constraint_mapped_to_message(monkeypatch):
    """Two officers at once: the pre-check passes for both, the database refuses one."""
    number = make_id_number(43)
    IdentityFactory(verified=True, id_number=number)
    second = IdentityFactory(pending=True, id_number=number)
    from applicants import services as svc

    # The check lives in the identities module (applicants.services is a package re-exporting it).
    monkeypatch.setattr(svc.identities, "_other_verified_exists", lambda identity: False)
    with pytest.raises(InvalidInput) as err:
        svc.verify_identity(identity=second, by=StaffFactory(officer=True))
    assert err.value.code == "duplicate_verified"


def test_verifier_setting_plugs_an_automatic_check(settings, django_capture_on_commit_callbacks):
    settings.IDENTITY_VERIFIER = "tests.applicants.test_identity.AlwaysYes"
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        identity = services.submit_own_identity(
            account=user, full_name="李四", id_number=make_id_number(8), **photos()
        )
    identity.refresh_from_db()
    assert identity.state == IdentityState.VERIFIED
    assert identity.decided_by is None


from applicants.verifiers import IdentityVerifier, VerifierResult  # noqa: E402


class AlwaysYes(IdentityVerifier):
    automatic = True

    def check(self, identity):
        return VerifierResult(verified=True, note="population database match")


def test_default_verifier_leaves_it_to_the_officer():
    identity = services.submit_own_identity(
        account=UserFactory(), full_name="李四", id_number=make_id_number(9), **photos()
    )
    identity.refresh_from_db()
    assert identity.state == IdentityState.PENDING


# --- agents ---------------------------------------------------------------------------------


def dependent_data(**overrides):
    data = {
        "full_name": "王小小",
        "id_number": make_id_number(11, birth=datetime.date(2016, 5, 1)),
        "relationship": "guardian",
        "agent_reason": "minor",
        "id_card_front": upload("hukou.png"),
        "face_photo": upload("face.png"),
        "agent_proof": upload("birth.pdf", pdf_bytes(), "application/pdf"),
    }
    data.update(overrides)
    return data


def test_agent_adds_minor_dependent(client):
    agent = IdentityFactory(verified=True).account
    client.force_login(agent)
    response = client.post(reverse("applicants:dependent_add"), dependent_data())
    assert response.status_code == 302, response.content.decode()
    child = Identity.objects.get(account=agent, relationship="guardian")
    assert child.state == IdentityState.PENDING
    assert child.agent_proof.name.endswith(".pdf")
    assert "王小小" in client.get(reverse("applicants:me")).content.decode()
    services.verify_identity(identity=child, by=StaffFactory(officer=True))
    child.refresh_from_db()
    assert child.is_verified


def test_minor_must_be_under_16_by_the_id_number(client):
    agent = IdentityFactory(verified=True).account
    client.force_login(agent)
    response = client.post(
        reverse("applicants:dependent_add"),
        dependent_data(id_number=make_id_number(12, birth=datetime.date(2000, 1, 1))),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "only minors under 16" in body
    assert 'value="王小小"' in body


def test_elderly_must_be_60(client):
    agent = IdentityFactory(verified=True).account
    with pytest.raises(InvalidInput) as err:
        services.add_dependent(
            account=agent,
            **dependent_data(
                agent_reason="elderly",
                id_number=make_id_number(13, birth=datetime.date(1990, 1, 1)),
                id_card_back=upload("b.png"),
            ),
        )
    assert "agent_reason" in err.value.fields


def test_agent_needs_own_identity_first():
    with pytest.raises(InvalidInput) as err:
        services.add_dependent(account=UserFactory(), **dependent_data())
    assert "Verify your own identity first" in " ".join(err.value.messages)


def test_rejected_dependent_is_corrected_and_resubmitted(client):
    agent = IdentityFactory(verified=True).account
    child = services.add_dependent(account=agent, **dependent_data())
    services.reject_identity(
        identity=child, by=StaffFactory(officer=True), reason="data_mismatch", note="姓名有误"
    )
    client.force_login(agent)
    page = client.get(reverse("applicants:dependent", args=[child.pk])).content.decode()
    assert "姓名有误" in page
    response = client.post(
        reverse("applicants:dependent", args=[child.pk]),
        {
            "full_name": "王晓晓",
            "id_number": child.id_number,
            "relationship": "guardian",
            "agent_reason": "minor",
        },
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.full_name == "王晓晓"
    assert child.state == IdentityState.PENDING
