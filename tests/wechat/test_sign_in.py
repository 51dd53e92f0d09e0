"""Sign in with WeChat inside WeChat's browser (issue 26, point 1), through the real views."""

import pytest

from applicants.models import User
from tests.factories import StaffFactory, UserFactory
from wechat.models import WechatBinding

from .helpers import bind_with_phone, follow_to_wechat, query_of, wechat_browser

pytestmark = pytest.mark.django_db


def test_channel_off_by_default_answers_404(client):
    assert client.get("/wechat/sign-in/").status_code == 404
    assert client.get("/wechat/server/").status_code == 404


def test_first_time_phone_proof_binds_then_one_tap_signs_in(wechat_on):
    person = UserFactory()
    wechat_on.set_signed_in("o-person-1")
    browser = wechat_browser()
    callback = follow_to_wechat(browser, next_url="/permits/applications/")
    response = browser.get(callback)
    assert response["Location"] == "/wechat/bind/"
    assert "_auth_user_id" not in browser.session  # not signed in before the phone is proved
    response = bind_with_phone(browser, person.phone)
    assert response.status_code == 302
    assert response["Location"] == "/permits/applications/"
    assert int(browser.session["_auth_user_id"]) == person.pk
    assert WechatBinding.objects.get(openid="o-person-1").user == person
    page = browser.get("/accounts/me/")
    assert "/wechat/unbind/" in page.content.decode()

    # Next time: a fresh browser session, the menu's link, no phone, no password.
    again = wechat_browser()
    callback = follow_to_wechat(again, next_url="/my-affairs/")
    response = again.get(callback)
    assert response.status_code == 302 and response["Location"] == "/my-affairs/"
    assert int(again.session["_auth_user_id"]) == person.pk


def test_forged_state_is_refused(wechat_on):
    UserFactory()
    browser = wechat_browser()
    callback = follow_to_wechat(browser)
    query = query_of(callback)
    forged = f"/wechat/oauth/callback/?code={query['code']}&state=forged"
    response = browser.get(forged)
    assert response.status_code == 400
    assert "_auth_user_id" not in browser.session
    # A callback without any sign-in started in this session (login CSRF): refused too.
    other = wechat_browser()
    assert other.get(callback).status_code == 400


def test_a_code_is_used_once(wechat_on):
    person = UserFactory()
    WechatBinding.objects.create(openid="o-person-2", user=person)
    wechat_on.set_signed_in("o-person-2")
    browser = wechat_browser()
    callback = follow_to_wechat(browser)
    assert browser.get(callback).status_code == 302
    # Replayed in another session with a fresh state of its own: the code is refused.
    thief = wechat_browser()
    follow_to_wechat(thief)  # starts a sign-in: a valid state in the thief's session
    state = thief.session["wechat_oauth"]["state"]
    replay = f"/wechat/oauth/callback/?code={query_of(callback)['code']}&state={state}"
    response = thief.get(replay)
    assert response.status_code == 403
    assert "_auth_user_id" not in thief.session


def test_a_staff_account_is_never_bound(wechat_on):
    staff = StaffFactory(officer=True)
    wechat_on.set_signed_in("o-staff")
    browser = wechat_browser()
    browser.get(follow_to_wechat(browser))
    response = browser.post("/wechat/bind/", {"phone": staff.phone})
    # No code is sent to a staff number for this purpose; any code is refused.
    response = browser.post("/wechat/bind/code/", {"code": "123456"})
    assert response.status_code == 200
    assert not WechatBinding.objects.filter(user=staff).exists()
    assert "_auth_user_id" not in browser.session

    # Signed in as staff and then through WeChat: refused, not bound.
    browser = wechat_browser()
    browser.force_login(staff)
    response = browser.get(follow_to_wechat(browser))
    assert response.status_code == 403
    assert not WechatBinding.objects.filter(user=staff).exists()


def test_a_staff_account_bound_earlier_cannot_sign_in(wechat_on):
    staff = StaffFactory(officer=True)
    WechatBinding.objects.create(openid="o-was-applicant", user=staff)
    wechat_on.set_signed_in("o-was-applicant")
    browser = wechat_browser()
    response = browser.get(follow_to_wechat(browser))
    assert response.status_code == 403
    assert "_auth_user_id" not in browser.session


def test_an_openid_of_another_account_cannot_sign_into_this_one(wechat_on):
    owner, other = UserFactory(), UserFactory()
    WechatBinding.objects.create(openid="o-owner", user=owner)
    wechat_on.set_signed_in("o-owner")
    browser = wechat_browser()
    browser.force_login(other)
    response = browser.get(follow_to_wechat(browser))
    assert response.status_code == 403
    assert int(browser.session["_auth_user_id"]) == other.pk
    assert WechatBinding.objects.get(openid="o-owner").user == owner
    assert not WechatBinding.objects.filter(user=other).exists()


def test_phone_proof_for_an_account_bound_to_another_wechat_is_refused(wechat_on):
    person = UserFactory()
    WechatBinding.objects.create(openid="o-first", user=person)
    wechat_on.set_signed_in("o-second")
    browser = wechat_browser()
    browser.get(follow_to_wechat(browser))
    response = bind_with_phone(browser, person.phone)
    assert response.status_code == 200
    assert "_auth_user_id" not in browser.session
    assert WechatBinding.objects.get(user=person).openid == "o-first"


def test_signed_in_person_binds_from_the_personal_center_and_unbinds(wechat_on):
    person = UserFactory()
    wechat_on.set_signed_in("o-center")
    browser = wechat_browser()
    browser.force_login(person)
    page = browser.get("/accounts/me/").content.decode()
    assert "/wechat/sign-in/?next=/accounts/me/" in page
    response = browser.get(follow_to_wechat(browser, next_url="/accounts/me/"))
    assert response["Location"] == "/accounts/me/"
    assert WechatBinding.objects.get(openid="o-center").user == person

    response = browser.post("/wechat/unbind/")
    assert response.status_code == 302
    binding = WechatBinding.objects.get(openid="o-center")
    assert binding.user is None
    # Unbound: WeChat no longer signs anyone in; the phone proof is asked again.
    fresh = wechat_browser()
    assert fresh.get(follow_to_wechat(fresh))["Location"] == "/wechat/bind/"


def test_an_open_redirect_in_next_is_ignored(wechat_on):
    person = UserFactory()
    WechatBinding.objects.create(openid="o-next", user=person)
    wechat_on.set_signed_in("o-next")
    browser = wechat_browser()
    response = browser.get(follow_to_wechat(browser, next_url="https://evil.example/"))
    assert response["Location"] == "/accounts/me/"
    assert User.objects.filter(pk=person.pk).exists()
