"""Cheap display values for list rows (issue 18): what a template would otherwise work out once
per row with ``get_FOO_display``, ``{% url %}`` or a ``date`` filter.

``get_FOO_display`` rebuilds a dict of all the field's choices on every call, hashing each lazy
label, which translates it: a state field of 16 choices costs 16 translations per row.
``ChoiceLabels`` reads the choices once and translates each label shown once. ``{% url %}``
resolves the pattern on every row; ``pk_url`` resolves it once and fills in each primary key.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_str

# An integer no URL of the portal contains: reversed once, then replaced by each row's key.
_PK_SENTINEL = 987_654_321_987


class ChoiceLabels:
    """``get_<field>_display()`` for many rows: ``labels(value)`` is the label of ``value`` in
    the active language (the value itself when it is not one of the choices, as Django does)."""

    def __init__(self, model, field_name: str):
        self._choices = dict(model._meta.get_field(field_name).flatchoices)
        self._labels: dict = {}

    def __call__(self, value) -> str:
        try:
            return self._labels[value]
        except KeyError:
            label = force_str(self._choices.get(value, value), strings_only=True)
            self._labels[value] = label
            return label
        except TypeError:  # an unhashable value: never a choice
            return value


def pk_url(viewname: str) -> Callable[[object], str]:
    """``url(pk)`` for a URL pattern whose only argument is an integer key: the same as
    ``reverse(viewname, args=[pk])``, with the pattern resolved once."""
    reversed_url = reverse(viewname, args=[_PK_SENTINEL])
    head, found, tail = reversed_url.partition(str(_PK_SENTINEL))
    if not found:  # a converter that changed the number: resolve every time
        return lambda pk: reverse(viewname, args=[pk])
    return lambda pk: f"{head}{int(pk)}{tail}"


def ymd(value: datetime.date | datetime.datetime | None) -> str:
    """``value|date:"Y-m-d"`` as a template shows it (a datetime in the current time zone)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return value.isoformat()
