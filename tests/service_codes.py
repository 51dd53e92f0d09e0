"""The codes of the five built-in services, for tests to name them (``Service.RENEWAL``). What a
service is lives in its module of ``permits.service_types``; the portal's code never names one."""

from enum import StrEnum


class Service(StrEnum):
    NEW = "new"
    RENEWAL = "renewal"
    CHANGE = "change"
    REPLACEMENT = "replacement"
    CANCELLATION = "cancellation"
