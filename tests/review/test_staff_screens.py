"""Issue 29, point 3: the officer's queue (the landing page, ``/admin/``) and an application's
desk (``/admin/permits/permitapplication/<pk>/change/``) are their own lean screens
(``review.views.queue``, ``review.views.desk``: Jinja2 templates on ``review/staff/base.html``),
not the admin's index and change form; the admin's list of records is one link away
(``/admin/records/``); the acts still go through the one desk mechanism. The same access rules,
through the real views: officers see their station only, supervisors all, an applicant and a
session without the second factor are refused."""

import pytest
from django.urls import reverse

from permits.constants import ApplicationState
from tests.factories import StaffFactory, StationFactory, UserFactory
from tests.otp_support import login_without_second_factor
from tests.permits.factories import ApplicationFactory
from tests.review.helpers import act, act_url, change_url, station_with_application

pytestmark = pytest.mark.django_db


def template_names(response) -> list[str]:
    """The Django templates the response rendered (the test client records only those), and
    the page's own template when Django's Jinja2 backend rendered it (``core.jinja2``)."""
    names = [template.name for template in response.templates]
    if getattr(response, "template_name", None):
        template = response.resolve_template(response.template_name)
        if template.backend.name == "jinja2":
            names.insert(0, template.origin.template_name)
    return names


def assert_lean_staff_page(response, user) -> str:
    """Rendered on the lean staff base (Jinja2), with the admin's look and none of its page
    machinery."""
    assert response.status_code == 200
    names = template_names(response)
    assert response.resolve_template(response.template_name).backend.name == "jinja2"
    assert not any(name.startswith("admin/") for name in names), names
    html = response.content.decode()
    assert '<body class="staff-screen ' in html  # review/jinja2/review/staff/base.html
    assert 'id="nav-sidebar"' not in html  # no app list in the page or its navigation
    assert "/static/admin/css/base.css" in html  # the admin's look
    assert f"<strong>{user.display_name}</strong>" in html
    assert f'action="{reverse("admin:logout")}"' in html  # sign-out
    assert f'href="{reverse("admin:records")}"' in html  # the admin for the rest
    assert '<html lang="en"' in html
    return html


def test_the_landing_page_is_the_lean_queue_and_its_rows_lead_to_the_lean_desk(client):
    station = StationFactory()
    officer = StaffFactory(officer=True, station=station)
    app = ApplicationFactory(submitted=True, registration__house__station=station)
    client.force_login(officer)

    queue = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en")
    html = assert_lean_staff_page(queue, officer)
    assert template_names(queue)[0] == "review/staff/queue.html"
    assert f'data-reference="{app.reference}"' in html
    assert f'<a href="{change_url(app)}">{app.reference}</a>' in html

    desk = client.get(change_url(app), HTTP_ACCEPT_LANGUAGE="en")
    html = assert_lean_staff_page(desk, officer)
    assert template_names(desk)[0] == "review/staff/desk.html"
    assert 'id="permitapplication_form"' not in html  # no admin change form
    # each act is a button to the desk's own act view (review.desks.admin)
    assert f'href="{act_url(app, "accept")}"' in html


def test_the_admins_list_of_records_is_one_link_away(client):
    client.force_login(StaffFactory(officer=True))
    records = client.get(reverse("admin:records"))
    assert records.status_code == 200
    assert "admin/index.html" in template_names(records)
    assert "app-permits" in records.content.decode()


def test_staff_without_the_queue_land_on_the_admins_list(client):
    """A member of staff who may not view applications (no role yet) gets the admin's index,
    and the desk refuses them (403)."""
    station, app, _staff = station_with_application()
    client.force_login(StaffFactory())
    landing = client.get(reverse("admin:index"))
    assert landing.status_code == 200
    assert "review/staff/queue.html" not in template_names(landing)
    assert 'id="review-queue"' not in landing.content.decode()
    assert client.get(change_url(app)).status_code == 403


def test_an_act_from_the_lean_desk_goes_through_the_desk_and_comes_back_to_it(client):
    station, app, staff = station_with_application()
    client.force_login(staff["officer"])
    response = act(client, app, "accept", note="")
    assert response.status_code == 302
    assert response["Location"] == change_url(app)  # back to the (lean) desk
    app.refresh_from_db()
    assert app.state == ApplicationState.ACCEPTED
    page = client.get(response["Location"]).content.decode()
    assert 'class="success"' in page  # the desk's message, on the lean page
    # a stale version is refused by the desk's check, and sent back to the same desk
    stale = client.post(act_url(app, "approve"), {"version": "0"})
    assert stale.status_code == 302 and stale["Location"] == change_url(app)
    app.refresh_from_db()
    assert app.state == ApplicationState.ACCEPTED


def test_an_officer_sees_their_station_only_a_supervisor_all(client):
    station, other = StationFactory(), StationFactory()
    mine = ApplicationFactory(submitted=True, registration__house__station=station)
    theirs = ApplicationFactory(submitted=True, registration__house__station=other)
    client.force_login(StaffFactory(officer=True, station=station))
    queue = client.get(reverse("admin:index")).content.decode()
    assert mine.reference in queue and theirs.reference not in queue
    assert client.get(change_url(mine)).status_code == 200
    assert client.get(change_url(theirs)).status_code == 404
    assert client.post(change_url(theirs), {}).status_code == 404
    client.force_login(StaffFactory(supervisor=True))
    queue = client.get(reverse("admin:index")).content.decode()
    assert mine.reference in queue and theirs.reference in queue
    assert client.get(change_url(theirs)).status_code == 200


def test_the_desk_is_read_only(client):
    station, app, staff = station_with_application()
    client.force_login(staff["officer"])
    assert client.post(change_url(app), {"state": "approved"}).status_code == 403
    app.refresh_from_db()
    assert app.state == ApplicationState.SUBMITTED


def test_an_applicant_is_refused_the_queue_and_the_desk(client):
    station, app, staff = station_with_application()
    client.force_login(app.filed_by)
    for url in (reverse("admin:index"), change_url(app)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
        assert app.reference not in response.content.decode()


def test_staff_without_the_second_factor_are_refused_the_queue_and_the_desk(client):
    station, app, staff = station_with_application()
    login_without_second_factor(client, staff["officer"])
    for url in (reverse("admin:index"), change_url(app), reverse("admin:records")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("second_factor")), url


def test_an_inactive_account_is_refused(client):
    station, app, staff = station_with_application()
    user = UserFactory(is_staff=True, is_active=False)
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert app.reference not in client.get(change_url(app)).content.decode()


def test_the_queue_and_the_desk_escape_what_people_typed(client):
    """The Jinja2 templates autoescape (``core.jinja2``): a name, a station and an address with
    markup in them show as text on the queue and the desk, never as markup."""
    from applicants.models import Identity
    from permits.models import House, Station

    station, app, staff = station_with_application()
    Station.objects.filter(pk=station.pk).update(name='<script>alert("station")</script>')
    Identity.objects.filter(pk=app.person_id).update(full_name='<script>alert("name")</script>')
    house = app.registration.house_id
    House.objects.filter(pk=house).update(address="<img src=x onerror=alert(1)>")
    client.force_login(staff["officer"])

    queue = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f'data-reference="{app.reference}"' in queue
    assert "<script>" not in queue
    assert "&lt;script&gt;alert(&#34;station&#34;)&lt;/script&gt;" in queue
    assert "<td>&lt;*****" in queue  # the masked name: its first character, escaped

    desk = client.get(change_url(app), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<script>" not in desk and "<img src=x" not in desk
    assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt;" in desk
    assert "&lt;script&gt;alert(&#34;station&#34;)&lt;/script&gt;" in desk
    assert "&lt;img src=x onerror=alert(1)&gt;" in desk


def test_the_jinja2_pages_speak_the_users_language(client):
    """Django's translation reaches the Jinja2 templates (``core.jinja2``: the i18n extension on
    Django's gettext), and the desk's plural made in the view."""
    from django.utils import translation

    station, app, staff = station_with_application()
    client.force_login(staff["officer"])
    queue = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<html lang="zh-hans"' in queue
    assert "<h2>待办队列</h2>" in queue and "Review queue" not in queue
    desk = client.get(change_url(app), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert '<h2 id="facts-title">案件</h2>' in desk
    with translation.override("zh-hans"):
        months = translation.ngettext("%(months)s month", "%(months)s months", 12) % {"months": 12}
    assert f"({months})" in desk and "months)" not in desk
