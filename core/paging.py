"""A page of a list and its count in one query (issue 18).

``Paginator(queryset, n).get_page(number)`` counts the rows (one query), then reads the page
(another). ``counted_page`` reads the page with the count beside each row (``Total``, a scalar
subquery over the whole filtered set), and any other totals the page shows (the unread ones of
an inbox, as window aggregates): one query. The page is the one ``get_page`` would give, for any
``number``; only when the asked page has no rows (past the end, or below 1) does it count
first, as ``get_page`` does.
"""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.db.models import Count, IntegerField, QuerySet, Subquery, Window

_TOTAL = "paging_total"


class Total(Subquery):
    """The number of rows of a query set, as a scalar subquery beside each row: not correlated
    with the outer query, so the database counts once per statement (PostgreSQL: an InitPlan)
    and the outer query can still read its rows in index order and stop at the page's end (a
    window count would read every row first). ``Total(qs.order_by().values("pk"))``."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _total)"
    output_field = IntegerField()


def _page_number(number) -> int | None:
    """``number`` as ``Paginator.validate_number`` reads it; None when it is not a number (no
    page asked for: None)."""
    try:
        if isinstance(number, float) and not number.is_integer():
            raise ValueError
        return int(number)
    except (TypeError, ValueError):
        return None


def counted_page(queryset: QuerySet, number, per_page: int, **totals) -> tuple[Page, dict]:
    """``(Paginator(queryset, per_page).get_page(number), {name: total})``: each of ``totals``
    (an aggregate, e.g. ``Count("pk", filter=Q(...))``) over all the rows of ``queryset``."""
    paginator = Paginator(queryset, per_page)
    wanted = _page_number(number)
    if wanted is None:  # no page asked for, or not a number: get_page shows the first
        wanted = 1
    if wanted >= 1:
        windows = {_TOTAL: Total(queryset.order_by().values("pk"))}
        windows.update({name: Window(aggregate) for name, aggregate in totals.items()})
        bottom = (wanted - 1) * per_page
        rows = list(queryset.annotate(**windows)[bottom : bottom + per_page])
        if rows:
            first = rows[0]
            values = first if isinstance(first, dict) else first.__dict__
            paginator.count = values[_TOTAL]
            page = paginator.page(wanted)
            page.object_list = rows
            return page, {name: values[name] for name in totals}
        if wanted == 1:  # nothing at all
            paginator.count = 0
            page = paginator.page(1)
            page.object_list = rows
            return page, dict.fromkeys(totals, 0)
    # past the end or below 1: get_page shows the last page
    counted = queryset.aggregate(**{_TOTAL: Count("pk")}, **totals)
    paginator.count = counted[_TOTAL]
    return paginator.get_page(number), {name: counted[name] for name in totals}
