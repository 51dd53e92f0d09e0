"""Services of the applicants app: phone codes, accounts, identities and agents.

Keyword-only functions taking the acting user; views, admin actions, the API and tasks all call
these. Every refusal is a ``core.errors.ServiceError`` (InvalidInput with per-field messages,
RateLimited, WrongState, NotAllowed). ``from applicants import services`` keeps working: each
public name of the submodules is re-exported here.
"""

from .accounts import reset_password, sign_in_with_code, sign_up
from .agents import (
    ELDERLY_AGE,
    MINOR_AGE_LIMIT,
    add_dependent,
    resubmit_dependent,
)
from .identities import (
    DUPLICATE_VERIFIED,
    PHOTO_FIELDS,
    identity_submitted,
    parsed_id_number,
    reject_identity,
    run_automatic_verifier,
    submit_own_identity,
    verify_identity,
)
from .phone_codes import (
    CODE_MAX_TRIES,
    CODE_TTL,
    consume_phone_code,
    deliver_phone_code,
    normalized_phone,
    phone_code_requested,
    request_phone_code,
)

__all__ = [
    "CODE_MAX_TRIES",
    "CODE_TTL",
    "deliver_phone_code",
    "phone_code_requested",
    "DUPLICATE_VERIFIED",
    "ELDERLY_AGE",
    "MINOR_AGE_LIMIT",
    "PHOTO_FIELDS",
    "add_dependent",
    "consume_phone_code",
    "identity_submitted",
    "normalized_phone",
    "parsed_id_number",
    "reject_identity",
    "request_phone_code",
    "reset_password",
    "resubmit_dependent",
    "run_automatic_verifier",
    "sign_in_with_code",
    "sign_up",
    "submit_own_identity",
    "verify_identity",
]
