"""Issue 15, point 3: staff log in to the admin with the phone formats applicants use, and a
refusal speaks of phones (not Django's "case-sensitive" username)."""

import pytest

from tests.factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def _login(client, username, password=PASSWORD, language="zh-hans"):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": username, "password": password, "next": "/admin/"},
        HTTP_ACCEPT_LANGUAGE=language,
    )


@pytest.mark.parametrize(
    "typed", ["13800000101", "+86 138 0000 0101", "138-0000-0101", "+8613800000101"]
)
def test_staff_log_in_with_the_phone_as_applicants_type_it(client, typed):
    StaffFactory(officer=True, phone="+8613800000101")

    response = _login(client, typed)

    assert response.status_code == 302, response.content.decode()[-2000:]
    assert "_auth_user_id" in client.session


def test_a_refusal_speaks_of_phones_in_full_width_chinese(client):
    StaffFactory(officer=True, phone="+8613800000101")

    html = _login(client, "13800000101", password="wrong").content.decode()

    assert "手机号码或密码不正确" in html
    assert "区分大小写" not in html
    assert "工作人员账户。" in html


def test_an_applicant_account_is_still_refused(client):
    UserFactory(phone="+8613800000102")

    response = _login(client, "13800000102", language="en")

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "not a staff account" in response.content.decode()
