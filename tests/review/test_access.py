"""A staff request reads its user's permissions, groups and station in one query
(``review.access``, issue 18), and every check answers as Django's own reads would."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from permits.constants import StaffGroup
from permits.scoping import is_supervisor, station_id_of
from review.access import group_names, load_staff_access
from review.selectors import CLERK_STATES, OFFICER_STATES, WAITING_STATES, default_states
from tests.factories import StaffFactory, StationFactory

pytestmark = pytest.mark.django_db


def fresh(user):
    return get_user_model().objects.get(pk=user.pk)


@pytest.mark.parametrize("role", ["officer", "clerk", "supervisor"])
def test_one_query_answers_as_djangos_own_reads(role):
    user = StaffFactory(**{role: True}, station=StationFactory())
    user.user_permissions.add(Permission.objects.get(codename="view_user"))  # a user's own
    loaded, plain = fresh(user), fresh(user)
    with CaptureQueriesContext(connection) as queries:
        load_staff_access(loaded)
        answers = (
            loaded.get_all_permissions(),
            loaded.has_perm("permits.view_permitapplication"),
            loaded.has_module_perms("permits"),
            is_supervisor(loaded),
            station_id_of(loaded),
            group_names(loaded),
            default_states(loaded),
        )
    assert len(queries) == 1
    backend = ModelBackend()
    assert answers == (
        backend.get_all_permissions(plain),
        plain.has_perm("permits.view_permitapplication"),
        plain.has_module_perms("permits"),
        is_supervisor(plain),
        station_id_of(plain),
        frozenset(plain.groups.values_list("name", flat=True)),
        {"officer": OFFICER_STATES, "clerk": CLERK_STATES, "supervisor": WAITING_STATES}[role],
    )
    assert (
        loaded.get_user_permissions()
        == backend.get_user_permissions(plain)
        == {"applicants.view_user"}
    )
    assert loaded.get_group_permissions() == backend.get_group_permissions(plain)
    assert answers[1] is True and (answers[4] is None) == (role == "supervisor")


def test_applicants_superusers_and_inactive_staff_are_left_alone():
    applicant = fresh(StaffFactory(officer=True, is_staff=False))
    superuser = fresh(StaffFactory(is_superuser=True))
    with CaptureQueriesContext(connection) as queries:
        for user in (applicant, superuser):
            load_staff_access(user)
            assert not hasattr(user, "_perm_cache")
    assert len(queries) == 0
    assert superuser.has_perm("permits.view_permitapplication")


def test_a_staff_page_reads_it_once_and_the_next_request_sees_a_change(client):
    station = StationFactory()
    officer = StaffFactory(officer=True, station=station)
    client.force_login(officer)
    client.get(reverse("admin:index"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("admin:index")).status_code == 200
    sql = [q["sql"] for q in queries]
    assert sum("auth_permission" in s for s in sql) == 1
    assert not any("notifications_notification" in s for s in sql)  # no unread badge here
    # Group and station read with the permissions, not again by the queue or the scope.
    assert not any(s.startswith('SELECT "auth_group"') for s in sql)
    assert not any(s.startswith('SELECT "permits_staffassignment"') for s in sql)
    officer.groups.set([Group.objects.get(name=StaffGroup.CLERK)])
    html = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:review_handover") in html  # the clerk's desk link, next request
