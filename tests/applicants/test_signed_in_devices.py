"""Issue 14 point 11: the API tokens of an account are listed in its personal center, one per
signed-in device, and each can be signed out there; someone else's cannot."""

import pytest
from django.urls import reverse

from core.models import ApiToken
from tests.api_support import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ME_URL = "/api/v1/me/"


def test_devices_are_listed_and_one_can_be_signed_out(client):
    user = UserFactory()
    phone_app = client_for(user)
    phone_app.credentials(**phone_app._credentials, HTTP_USER_AGENT="PortalApp/3 (Android 14)")
    assert phone_app.get(ME_URL).status_code == 200
    tablet_app = client_for(user)
    assert tablet_app.get(ME_URL).status_code == 200
    client.force_login(user)
    page = client.get(reverse("applicants:me")).content.decode()
    assert "Signed-in devices" in page
    assert "PortalApp/3 (Android 14)" in page
    assert page.count(">Sign out</button>") == 2
    phone_row = ApiToken.objects.get(user=user, device__startswith="PortalApp")
    response = client.post(reverse("applicants:device_revoke", args=[phone_row.pk]), follow=True)
    assert "That device is signed out." in response.content.decode()
    assert phone_app.get(ME_URL).status_code == 401
    assert tablet_app.get(ME_URL).status_code == 200


def test_someone_elses_device_is_404_and_stays_signed_in(client):
    owner, other = UserFactory(), UserFactory()
    owner_app = client_for(owner)
    row = ApiToken.objects.get(user=owner)
    client.force_login(other)
    assert client.post(reverse("applicants:device_revoke", args=[row.pk])).status_code == 404
    assert client.get(reverse("applicants:device_revoke", args=[row.pk])).status_code == 405
    assert owner_app.get(ME_URL).status_code == 200


def test_anonymous_is_sent_to_login(client):
    row_owner = UserFactory()
    client_for(row_owner)
    row = ApiToken.objects.get(user=row_owner)
    response = client.post(reverse("applicants:device_revoke", args=[row.pk]))
    assert response.status_code == 302 and "login" in response["Location"]
    assert ApiToken.objects.filter(pk=row.pk).exists()


def test_a_new_password_signs_every_device_out_and_empties_the_list(client):
    user = UserFactory()
    app = client_for(user)
    user.set_password("A-new-long-password-2")
    user.save()
    assert app.get(ME_URL).status_code == 401
    client.force_login(user)
    assert "No app is signed in." in client.get(reverse("applicants:me")).content.decode()
