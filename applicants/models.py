from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from core import page_cache
from core.fsm import TransitionLogBase, TransitionLoggedMixin, VersionedModel
from core.masking import mask_id_number, mask_name
from core.phones import mask_phone, normalize_phone
from core.uploads import private_upload_to

from .constants import (
    AgentReason,
    IdentityRejectionReason,
    IdentityState,
    PhoneCodePurpose,
    Relationship,
    Sex,
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, phone, password, **extra_fields):
        user = self.model(phone=normalize_phone(phone), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, phone, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(phone, password, **extra_fields)

    def create_superuser(self, phone, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(phone, password, **extra_fields)


class User(AbstractBaseUser, PermissionsMixin):
    """An account (账户), applicant or staff, logging in with a mobile phone number."""

    phone = models.CharField(
        _("mobile phone"),
        max_length=20,
        unique=True,
        help_text=_("In international format, e.g. +8613800138000."),
    )
    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # What this account's pages show changed this many times (core.page_cache): the runner of
    # every transition, the daily jobs and each write a person's pages show add one; a page is
    # cached under it. Loaded with the user by the authentication middleware (no query).
    page_generation = models.PositiveBigIntegerField(
        _("page generation"), default=0, editable=False
    )

    objects = UserManager()

    USERNAME_FIELD = "phone"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("account (账户)")
        verbose_name_plural = _("accounts (账户)")

    def __str__(self) -> str:
        return self.display_name or mask_phone(self.phone)

    def save(self, *args, **kwargs):
        """Every save of an existing account adds one to its page generation in the same
        UPDATE (``page_generation + 1``): what the account's pages show may have changed
        (name, phone, language), and a copy loaded earlier never writes an older count back
        over a bump made meanwhile."""
        if self._state.adding or self.pk is None or kwargs.get("update_fields") == []:
            return super().save(*args, **kwargs)
        self.page_generation = F("page_generation") + 1
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "page_generation" not in update_fields:
            kwargs["update_fields"] = [*update_fields, "page_generation"]
        try:
            super().save(*args, **kwargs)
        finally:
            # the new count is the database's: read again when asked (core.page_cache reads it
            # on the next request's own copy)
            self.__dict__.pop("page_generation", None)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    def get_full_name(self) -> str:
        return self.display_name or self.masked_phone

    def get_short_name(self) -> str:
        return self.get_full_name()

    @property
    def own_identity(self):
        """The account holder's own identity (relationship "self"), or None."""
        return self.identities.filter(relationship=Relationship.SELF).first()


@page_cache.watch
class Identity(TransitionLoggedMixin, VersionedModel):
    """The real-name identity (实名认证) of one person, filed by an account for itself or,
    as agent (代办), for a minor under 16, an elderly or a disabled person (seed 001 Art. 9).

    Applications, registrations and permits are for an Identity; the account that filed it is
    who may act for that person.
    """

    transition_log_model = "applicants.IdentityTransition"
    transition_log_fk = "identity"

    account = models.ForeignKey(
        User, verbose_name=_("account"), on_delete=models.PROTECT, related_name="identities"
    )
    relationship = models.CharField(
        _("relationship"), max_length=20, choices=Relationship.choices, default=Relationship.SELF
    )
    agent_reason = models.CharField(
        _("why an agent applies"), max_length=20, choices=AgentReason.choices, blank=True
    )
    full_name = models.CharField(_("full name"), max_length=60)
    id_number = models.CharField(_("resident ID number"), max_length=18)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    id_card_front = models.ImageField(_("ID card front"), upload_to=private_upload_to, blank=True)
    id_card_back = models.ImageField(_("ID card back"), upload_to=private_upload_to, blank=True)
    face_photo = models.ImageField(_("face photo"), upload_to=private_upload_to, blank=True)
    agent_proof = models.FileField(
        _("proof of the agent relationship"), upload_to=private_upload_to, blank=True
    )
    state = FSMField(
        _("verification state"),
        default=IdentityState.UNVERIFIED,
        choices=IdentityState.choices,
        protected=True,
        db_index=True,
    )
    rejection_reason = models.CharField(
        _("rejection reason"), max_length=30, choices=IdentityRejectionReason.choices, blank=True
    )
    rejection_note = models.TextField(_("rejection details"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        User,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("identity (实名认证)")
        verbose_name_plural = _("identities (实名认证)")
        constraints = [
            # One resident ID number belongs to at most one verified identity.
            models.UniqueConstraint(
                fields=["id_number"],
                condition=Q(state=IdentityState.VERIFIED),
                name="identity_one_verified_per_id_number",
            ),
            # An account has at most one identity of its own.
            models.UniqueConstraint(
                fields=["account"],
                condition=Q(relationship=Relationship.SELF),
                name="identity_one_self_per_account",
            ),
            # The same account does not file the same person twice.
            models.UniqueConstraint(
                fields=["account", "id_number"], name="identity_unique_per_account"
            ),
        ]
        indexes = [models.Index(fields=["state", "submitted_at"])]
        permissions = [("verify_identity", _("Can verify or reject identities"))]

    def __str__(self) -> str:
        return f"{mask_name(self.full_name)} {self.masked_id_number}"

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    def page_accounts(self):
        """The account that filed the identity sees it (core.page_cache)."""
        return [self.account_id]

    @classmethod
    def page_accounts_of(cls, rows):
        return [rows.values("account_id")]

    @property
    def is_verified(self) -> bool:
        return self.state == IdentityState.VERIFIED

    @property
    def is_dependent(self) -> bool:
        return self.relationship != Relationship.SELF

    # --- transitions (services call these; they never set state by hand) -------------------
    @transition(
        field=state,
        source=[IdentityState.UNVERIFIED, IdentityState.REJECTED],
        target=IdentityState.PENDING,
    )
    def submit(self, *, by, note=""):
        self.submitted_at = timezone.now()
        self.rejection_reason = ""
        self.rejection_note = ""
        self.decided_at = None
        self.decided_by = None

    @transition(
        field=state,
        source=IdentityState.PENDING,
        target=IdentityState.VERIFIED,
        permission="applicants.verify_identity",
    )
    def verify(self, *, by, note=""):
        self.decided_at = timezone.now()
        self.decided_by = by

    @transition(
        field=state,
        source=IdentityState.PENDING,
        target=IdentityState.REJECTED,
        permission="applicants.verify_identity",
    )
    def reject(self, *, by, reason, note=""):
        self.rejection_reason = reason
        self.rejection_note = note
        self.decided_at = timezone.now()
        self.decided_by = by


class IdentityTransition(TransitionLogBase):
    identity = models.ForeignKey(
        Identity, verbose_name=_("identity"), on_delete=models.CASCADE, related_name="transitions"
    )

    class Meta(TransitionLogBase.Meta):
        verbose_name = _("identity transition")
        verbose_name_plural = _("identity transitions")


class PhoneCode(models.Model):
    """A 6-digit code sent by SMS to prove a phone number (sign-up, password reset).

    Only a keyed hash of the code is stored; it expires after 10 minutes and allows 5 tries.
    """

    phone = models.CharField(_("mobile phone"), max_length=20)
    purpose = models.CharField(_("purpose"), max_length=20, choices=PhoneCodePurpose.choices)
    code_hash = models.CharField(_("code hash"), max_length=128)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong tries"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("phone code")
        verbose_name_plural = _("phone codes")
        indexes = [models.Index(fields=["phone", "purpose", "-created_at"])]

    def __str__(self) -> str:
        return f"{mask_phone(self.phone)} {self.purpose} {self.created_at:%Y-%m-%d %H:%M}"
