from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    """Every result an applicant gets (seed 002 step ③). Extend here; add its templates."""

    PHONE_CODE = "phone_code", _("Verification code")
    IDENTITY_VERIFIED = "identity_verified", _("Identity verified")
    IDENTITY_REJECTED = "identity_rejected", _("Identity rejected")
    REGISTRATION_REGISTERED = "registration_registered", _("Residence registered")
    REGISTRATION_REJECTED = "registration_rejected", _("Residence registration rejected")
    APPLICATION_SUBMITTED = "application_submitted", _("Application submitted")
    APPLICATION_ACCEPTED = "application_accepted", _("Application accepted")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Missing materials")
    APPLICATION_APPROVED = "application_approved", _("Application approved")
    APPLICATION_REJECTED = "application_rejected", _("Application rejected")
    DEADLINE_EXTENDED = "deadline_extended", _("Deadline extended")
    CERTIFICATE_PRODUCED = "certificate_produced", _("Certificate produced")
    OLD_CARD_RECEIVED = "old_card_received", _("Old card received")
    CERTIFICATE_MAILED = "certificate_mailed", _("Certificate mailed")
    CERTIFICATE_DELIVERED = "certificate_delivered", _("Certificate delivered")
    CERTIFICATE_COLLECTED = "certificate_collected", _("Certificate collected")
    CANCELLATION_SUBMITTED = "cancellation_submitted", _("Cancellation filed: return the card")
    CANCELLATION_COMPLETED = "cancellation_completed", _("Permit cancelled")
    ENDORSEMENT_DUE = "endorsement_due", _("Endorsement due")
    PERMIT_SUSPENDED = "permit_suspended", _("Permit suspended")
    RATING_INVITED = "rating_invited", _("Rate your case")
    RATING_ANSWERED = "rating_answered", _("Answer to your rating")
    CARD_UNCOLLECTED = "card_uncollected", _("Your card is waiting at the station")
    CHANGE_OFFERED = "change_offered", _("Report your new address")
    CHANGE_DUE_REMINDER = "change_due_reminder", _("Report your new address within 7 days")
    DEPENDENT_TURNED_16 = "dependent_turned_16", _("Now applies in person")
    APPOINTMENT_REMINDER = "appointment_reminder", _("Your pickup appointment is tomorrow")
    LESSOR_ANSWERED = "lessor_answered", _("Your lessor answered")


# Quiet hours (issue 30, SMS_QUIET_HOURS): the kinds whose SMS leave at any hour, because the
# person is waiting for them: answers to something they or an officer just did. Every other kind
# (reminders and the notices of the daily jobs) waits for the end of the quiet hours. Phone codes
# go without a notification (``send_direct_sms``) and always at once. README "SMS and My Affairs".
SENT_AT_ANY_HOUR = frozenset(
    {
        NotificationKind.PHONE_CODE,
        NotificationKind.IDENTITY_VERIFIED,
        NotificationKind.IDENTITY_REJECTED,
        NotificationKind.REGISTRATION_REGISTERED,
        NotificationKind.REGISTRATION_REJECTED,
        NotificationKind.APPLICATION_SUBMITTED,
        NotificationKind.APPLICATION_ACCEPTED,
        NotificationKind.SUPPLEMENT_REQUESTED,
        NotificationKind.APPLICATION_APPROVED,
        NotificationKind.APPLICATION_REJECTED,
        NotificationKind.DEADLINE_EXTENDED,
        NotificationKind.CERTIFICATE_PRODUCED,
        NotificationKind.OLD_CARD_RECEIVED,
        NotificationKind.CERTIFICATE_MAILED,
        NotificationKind.CERTIFICATE_DELIVERED,
        NotificationKind.CERTIFICATE_COLLECTED,
        NotificationKind.CANCELLATION_SUBMITTED,
        NotificationKind.CANCELLATION_COMPLETED,
        NotificationKind.RATING_ANSWERED,
    }
)


class SmsStatus(models.TextChoices):
    """Ordered: a status never moves backwards (see ``SMS_STATUS_RANK``)."""

    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    # The create call went out but no answer came back (timeout): the provider is asked before
    # any resend (notifications.sms.reconcile).
    UNKNOWN = "unknown", _("Unknown: asking the provider")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    UNDELIVERED = "undelivered", _("Undelivered")
    FAILED = "failed", _("Failed")


# Rows the sweeps still look for (``notifications.sms.stale_queued``, ``_reconcilable``); the
# only ones in the status index.
UNSETTLED_STATUSES = (SmsStatus.QUEUED.value, SmsStatus.SENDING.value, SmsStatus.UNKNOWN.value)

SMS_STATUS_RANK = {
    SmsStatus.QUEUED: 0,
    SmsStatus.SENDING: 1,
    SmsStatus.UNKNOWN: 1,
    SmsStatus.SENT: 2,
    SmsStatus.DELIVERED: 3,
    SmsStatus.UNDELIVERED: 3,
    SmsStatus.FAILED: 3,
}
