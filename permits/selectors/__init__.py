"""Reads (no writes) for screens, the API and reports; each bounded by the caller's scope.

``applications``: an applicant's own; ``queues``: the station queues of staff.
``applicant``: one person's registration, open application, draft; ``timeline``: an application's;
``registrations``: the residence facts of listed registrations (one query for all).
"""
