import pytest

from notifications.models import Notification
from tests.api_support import assert_error, client_for
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications/"


def make_notifications(user, count: int, *, start: int = 0):
    return Notification.objects.bulk_create(
        Notification(
            recipient=user,
            kind="identity_verified",
            event_key=f"test:{user.pk}:{start + n}",
            title=f"Title {start + n}",
            body="Body",
        )
        for n in range(count)
    )


def test_owner_lists_own_notifications_newest_first(applicant, applicant_api, other_applicant):
    make_notifications(applicant, 3)
    make_notifications(other_applicant, 2)
    body = applicant_api.get(LIST).json()
    assert body["count"] == 3
    assert [item["title"] for item in body["results"]] == ["Title 2", "Title 1", "Title 0"]
    assert all(item["is_read"] is False for item in body["results"])


def test_unread_filter(applicant, applicant_api):
    first, _second = make_notifications(applicant, 2)
    applicant_api.post(f"{LIST}{first.pk}/read/")
    assert applicant_api.get(LIST, {"unread": "true"}).json()["count"] == 1


def test_detail_and_mark_read_for_the_owner(applicant, applicant_api):
    (entry,) = make_notifications(applicant, 1)
    detail = applicant_api.get(f"{LIST}{entry.pk}/")
    assert detail.status_code == 200 and detail.json()["read_at"] is None
    response = applicant_api.post(f"{LIST}{entry.pk}/read/")
    assert response.status_code == 200 and response.json()["is_read"] is True
    entry.refresh_from_db()
    assert entry.read_at is not None


@pytest.mark.parametrize("suffix,method", [("", "get"), ("read/", "post")])
def test_someone_elses_notification_is_404(applicant, other_api, suffix, method):
    (entry,) = make_notifications(applicant, 1)
    response = getattr(other_api, method)(f"{LIST}{entry.pk}/{suffix}")
    assert_error(response, 404, "not_found")
    entry.refresh_from_db()
    assert entry.read_at is None


@pytest.mark.parametrize("suffix,method", [("", "get"), ("read/", "post")])
def test_staff_of_another_station_gets_404(applicant, suffix, method):
    (entry,) = make_notifications(applicant, 1)
    clerk = client_for(StaffFactory(clerk=True))
    assert_error(getattr(clerk, method)(f"{LIST}{entry.pk}/{suffix}"), 404)


@pytest.mark.parametrize(
    "path,method",
    [(LIST, "get"), (f"{LIST}1/", "get"), (f"{LIST}1/read/", "post"), (f"{LIST}read-all/", "post")],
)
def test_anonymous_gets_401(api, path, method):
    assert_error(getattr(api, method)(path), 401, "not_authenticated")


def test_read_all_marks_only_mine(applicant, applicant_api, other_applicant):
    make_notifications(applicant, 2)
    make_notifications(other_applicant, 1)
    assert applicant_api.post(f"{LIST}read-all/").json() == {"marked": 2}
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_out_of_range_page_is_404_in_the_shape(applicant_api):
    assert_error(applicant_api.get(LIST, {"page": 99}), 404, "not_found")


@pytest.mark.parametrize("rows", [5, 50])
def test_list_query_count_does_not_grow(
    applicant, applicant_api, rows, django_assert_max_num_queries
):
    make_notifications(applicant, rows)
    # session-less token auth: user lookup + count + page
    with django_assert_max_num_queries(3):
        response = applicant_api.get(LIST, {"page_size": 100})
    assert len(response.json()["results"]) == rows
