"""The portal's clock: the one place code asks what day and time it is (in the configured time
zone), so a test moves it by patching ``core.clock.today`` / ``core.clock.now``. Callers read it
through the module (``clock.today()``), never a copied reference; functions that take ``today=``
or ``now=`` get it passed in instead."""

from __future__ import annotations

import datetime

from django.utils import timezone


def today() -> datetime.date:
    return timezone.localdate()


def now() -> datetime.datetime:
    return timezone.now()
