"""Every act on a permit application, from the draft to the card in hand (seeds 001, 002).

Each service is keyword-only and takes the acting ``user``. It refuses what that user may not do
(``NotAllowed``: the transition's permission, which includes the station scope for staff), what
the state does not allow (``WrongState``), what a rule forbids (``NotEligible``/``RuleRefused``)
and a stale object (``StaleState``: django-fsm ``ConcurrentTransition``), always with a clear,
translatable message, and it changes nothing when it refuses (one ``transaction.atomic()``
around transition, save, side records and notifications; the in-memory object is reloaded).

The login password re-entered on submit (seed 002: "输入登录密码,点击确定") is checked HERE
(``password=``), so the web pages and the API share one check.

One module per concern, every act re-exported here (``services.accept(...)``). What differs
between the services is declared in ``permits.service_types`` (one module per service), which
these acts ask (``application.service_type``); none of them branches on a service.

- ``eligibility``: who may apply for what today (the rules in ``permits.rules``)
- ``applicant``: draft, answers, uploads, submit, resubmit, withdraw, pickup or mail
- ``officer``: accept, the one-time notice, approve, reject; the supervisor's extension
- ``clerk``: produced, old card received, mailed, delivered, collected
- ``cancellation``: the acts only a cancellation (注销 on moving away) has: the card returned,
  completed
- ``receipts``: the certificate photo fetched by a studio's receipt number (issue 31)
- ``common``: what every act shares: firing through ``core.fsm.run_transition``, the checks,
  the applicant's notice

Reads live in ``permits.selectors`` (``applicant``: the current registration, the open
application; ``timeline``: the applicant's timeline); they are re-exported here for callers
that still look them up on the services.
"""

from permits.constants import FINAL_APPLICATION_STATES
from permits.selectors.applicant import current_registration, open_application
from permits.selectors.materials import reuse_offer
from permits.selectors.timeline import timeline

from .applicant import (
    choose_mail,
    choose_pickup,
    resubmit,
    save_answers,
    start_application,
    submit,
    upload_material,
    withdraw,
)
from .cancellation import complete_cancellation, record_card_returned
from .clerk import (
    mark_produced,
    record_collected,
    record_delivered,
    record_mailed,
    record_old_card_received,
)
from .eligibility import check_eligibility
from .officer import accept, approve, extend_deadline, reject, request_supplement
from .pages import upload_material_pages
from .places import choose_place
from .receipts import use_photo_receipt
from .reuse import reuse_material

__all__ = [
    "choose_place",
    "reuse_material",
    "use_photo_receipt",
    "upload_material_pages",
    "reuse_offer",
    "FINAL_APPLICATION_STATES",
    "accept",
    "approve",
    "check_eligibility",
    "complete_cancellation",
    "choose_mail",
    "choose_pickup",
    "current_registration",
    "extend_deadline",
    "mark_produced",
    "open_application",
    "record_card_returned",
    "record_collected",
    "record_delivered",
    "record_mailed",
    "record_old_card_received",
    "reject",
    "request_supplement",
    "resubmit",
    "save_answers",
    "start_application",
    "submit",
    "timeline",
    "upload_material",
    "withdraw",
]
