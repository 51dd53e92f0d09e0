"""``counted_page`` gives the page ``Paginator.get_page`` gives, for any page number, with the
count read beside the rows: one query for a page that has rows (issue 18)."""

import pytest
from django.contrib.auth.models import Group
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from core.paging import counted_page

pytestmark = pytest.mark.django_db

NUMBERS = [None, "", "x", "1", 1, "2", 2.0, "2.0", 2.5, "3", "0", "-1", "99"]


def _groups(count):
    Group.objects.bulk_create(Group(name=f"page-{n:03d}") for n in range(count))
    return Group.objects.filter(name__startswith="page-").order_by("name")


@pytest.mark.parametrize("count", [0, 1, 20, 21, 45])
@pytest.mark.parametrize("values", [False, True])
def test_the_same_page_as_get_page(count, values):
    queryset = _groups(count)
    if values:
        queryset = queryset.values("pk", "name")
    for number in NUMBERS:
        expected = Paginator(queryset, 20).get_page(number)
        page, totals = counted_page(
            queryset, number, 20, even=Count("pk", filter=Q(name__regex=r"[02468]$"))
        )
        assert page.number == expected.number, number
        assert page.paginator.count == expected.paginator.count == count
        assert page.paginator.num_pages == expected.paginator.num_pages
        names = [row["name"] if values else row.name for row in page.object_list]
        assert names == [row["name"] if values else row.name for row in expected.object_list]
        assert (page.has_next(), page.has_previous()) == (
            expected.has_next(),
            expected.has_previous(),
        )
        assert totals == {"even": (count + 1) // 2}


def test_one_query_for_a_page_with_rows():
    queryset = _groups(45)
    with CaptureQueriesContext(connection) as queries:
        page, _totals = counted_page(queryset, "2", 20)
        assert [g.name for g in page.object_list][0] == "page-020"
        assert page.paginator.count == 45
    assert len(queries) == 1


def test_one_query_for_nothing_at_all():
    with CaptureQueriesContext(connection) as queries:
        page, totals = counted_page(_groups(0), None, 20, all=Count("pk"))
        assert list(page.object_list) == []
        assert page.paginator.count == 0
    assert totals == {"all": 0}
    assert len(queries) == 1
