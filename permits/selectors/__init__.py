"""Reads (no writes) for screens, the API, reports and the daily jobs; each bounded by the
caller's scope. Services call them; they never import a service (tests/core/test_import_graph).

``applications``: an applicant's own; ``queues``: the station queues of staff.
``applicant``: one person's registration, permit held, open application, draft;
``timeline``: an application's; ``registrations``: house codes, an account's registrations and
the residence facts (one query for all listed); ``permits``: the card check and what the daily
jobs act on; ``appointments``: the slots offered and a booking; ``materials``: what can stand in
for a material; ``reminders``: cards waiting and reminders not yet sent; ``ratings``: a case's
rating and a link's; ``documents``, ``retention``.
"""
