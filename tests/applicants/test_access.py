import pytest
from django.urls import reverse

from applicants.constants import IdentityState
from notifications.models import Notification
from tests.factories import IdentityFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def file_url(identity, kind="front"):
    return reverse("applicants:identity_file", args=[identity.pk, kind])


def test_owner_sees_own_photo(client):
    identity = IdentityFactory(pending=True)
    client.force_login(identity.account)
    response = client.get(file_url(identity))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert "no-store" in response["Cache-Control"]


def test_other_applicant_gets_404(client):
    identity = IdentityFactory(pending=True)
    client.force_login(UserFactory())
    for kind in ("front", "back", "face", "proof"):
        assert client.get(file_url(identity, kind)).status_code == 404


def test_anonymous_is_sent_to_login(client):
    identity = IdentityFactory(pending=True)
    response = client.get(file_url(identity))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_unknown_kind_404_and_no_id_number_in_urls(client):
    identity = IdentityFactory(pending=True)
    client.force_login(identity.account)
    assert client.get(file_url(identity, "id_number")).status_code == 404
    assert identity.id_number not in file_url(identity)


def test_clerk_without_identity_permission_gets_404(client):
    identity = IdentityFactory(pending=True)
    client.force_login(StaffFactory(clerk=True))
    assert client.get(file_url(identity)).status_code == 404


def test_any_officer_sees_photos_citywide(client):
    identity = IdentityFactory(pending=True)
    client.force_login(StaffFactory(officer=True))
    assert client.get(file_url(identity, "face")).status_code == 200


def test_media_url_serves_nothing(client):
    identity = IdentityFactory(pending=True)
    client.force_login(identity.account)
    assert client.get(f"/media-not-public/{identity.id_card_front.name}").status_code == 404


def test_dependent_of_another_account_is_404(client):
    child = IdentityFactory(dependent_minor=True, pending=True)
    client.force_login(UserFactory())
    assert client.get(reverse("applicants:dependent", args=[child.pk])).status_code == 404
    own = IdentityFactory()
    client.force_login(own.account)
    # One's own identity is not a "dependent" page either.
    assert client.get(reverse("applicants:dependent", args=[own.pk])).status_code == 404


def test_personal_center_shows_only_own_data(client):
    mine = IdentityFactory(verified=True, full_name="甲某某")
    IdentityFactory(verified=True, full_name="乙某某")
    IdentityFactory(dependent_minor=True, full_name="丙某某")
    client.force_login(mine.account)
    body = client.get(reverse("applicants:me")).content.decode()
    assert "甲某某" in body
    assert "乙某某" not in body and "丙某某" not in body
    assert mine.id_number not in body  # masked
    assert mine.masked_id_number in body


def test_personal_center_needs_login(client):
    assert client.get(reverse("applicants:me")).status_code == 302


# --- admin ----------------------------------------------------------------------------------


def test_changelist_masks_and_detail_shows_full_number(client):
    identity = IdentityFactory(pending=True)
    client.force_login(StaffFactory(officer=True))
    changelist = client.get(reverse("admin:applicants_identity_changelist")).content.decode()
    assert identity.masked_id_number in changelist
    assert identity.id_number not in changelist
    detail = client.get(
        reverse("admin:applicants_identity_change", args=[identity.pk])
    ).content.decode()
    assert identity.id_number in detail
    assert file_url(identity, "front") in detail  # thumbnail through the protected view
    assert "Verify identity" in detail


def test_officer_verifies_in_admin_and_applicant_sees_it(client):
    identity = IdentityFactory(pending=True)
    client.force_login(StaffFactory(officer=True))
    response = client.post(reverse("admin:applicants_identity_verify", args=[identity.pk]))
    assert response.status_code == 302
    identity.refresh_from_db()
    assert identity.state == IdentityState.VERIFIED
    assert Notification.objects.filter(recipient=identity.account).count() == 1
    client.force_login(identity.account)
    assert "Verified" in client.get(reverse("applicants:me")).content.decode()


def test_officer_rejects_with_reason_in_admin(client):
    identity = IdentityFactory(pending=True)
    client.force_login(StaffFactory(officer=True))
    client.post(
        reverse("admin:applicants_identity_reject", args=[identity.pk]),
        {"reason": "face_mismatch", "note": "请重新拍照"},
    )
    identity.refresh_from_db()
    assert identity.state == IdentityState.REJECTED
    assert identity.rejection_reason == "face_mismatch"
    body = Notification.objects.get(recipient=identity.account).body
    assert "请重新拍照" in body


def test_clerk_cannot_decide_in_admin(client):
    identity = IdentityFactory(pending=True)
    client.force_login(StaffFactory(clerk=True))
    response = client.post(reverse("admin:applicants_identity_verify", args=[identity.pk]))
    assert response.status_code == 403
    identity.refresh_from_db()
    assert identity.state == IdentityState.PENDING


def test_verify_needs_post(client):
    identity = IdentityFactory(pending=True)
    client.force_login(StaffFactory(officer=True))
    response = client.get(reverse("admin:applicants_identity_verify", args=[identity.pk]))
    assert response.status_code == 405


def test_dependent_detail_in_admin_shows_the_agent(client):
    agent = IdentityFactory(verified=True, full_name="王大明")
    child = IdentityFactory(dependent_minor=True, pending=True, account=agent.account)
    client.force_login(StaffFactory(officer=True))
    body = client.get(reverse("admin:applicants_identity_change", args=[child.pk])).content.decode()
    assert "王大明" in body
    assert agent.masked_id_number in body


def test_admin_links_a_pdf_proof_instead_of_an_image(client):
    from django.core.files.base import ContentFile

    agent = IdentityFactory(verified=True)
    child = IdentityFactory(
        dependent_minor=True,
        pending=True,
        account=agent.account,
        agent_proof=ContentFile(b"%PDF-1.4\n%%EOF\n", name="p.pdf"),
    )
    client.force_login(StaffFactory(officer=True))
    body = client.get(reverse("admin:applicants_identity_change", args=[child.pk])).content.decode()
    proof_url = file_url(child, "proof")
    assert f'href="{proof_url}"' in body
    assert f'src="{proof_url}"' not in body
    assert client.get(proof_url)["Content-Type"] == "application/pdf"
