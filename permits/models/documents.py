"""The papers a station signs (issue 16): notices of a decision and residence certificates.

One row per issued paper, written by the service that takes the decision, in its transaction:
kind, the case, the issuing station, a number dense per station and year, who issued it and
when, and a snapshot of what it says (``payload``). The PDF is rendered after commit by a task
(``permits.services.rendering``) and stored privately with its SHA-256; the short ``code``
printed on it (and in its QR code) lets anyone check it at ``/verify/document/<code>/``.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applicants.models import Identity
from core import clock, page_cache
from core.uploads import private_upload_to

from ..papers import registry as papers
from .applications import PermitApplication
from .page_accounts import application_accounts, identity_accounts
from .permits import ResidencePermit
from .places import Station

# No 0/O, 1/I/L: a code read off paper and typed in is not misread.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def new_document_code() -> str:
    """A random verification code (31^12 ≈ 8·10^17: not guessable, short enough to type)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(value: str) -> str:
    """What a person types: spaces, dashes and lower case are forgiven."""
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())[:40]


@page_cache.watch
class Document(models.Model):
    """One paper issued by a station (文书): a notice of a decision, or a residence certificate."""

    # The kinds are declared in ``permits.papers`` (one module each), registered at app ready.
    kind = models.CharField(_("kind"), max_length=30, choices=papers.choices)
    application = models.ForeignKey(
        PermitApplication,
        verbose_name=_("application"),
        on_delete=models.PROTECT,
        related_name="documents",
        null=True,
        blank=True,
        help_text=_("The case a notice belongs to; empty for a residence certificate."),
    )
    permit = models.ForeignKey(
        ResidencePermit,
        verbose_name=_("permit"),
        on_delete=models.PROTECT,
        related_name="documents",
        null=True,
        blank=True,
        help_text=_("The permit a residence certificate proves."),
    )
    holder = models.ForeignKey(
        Identity,
        verbose_name=_("for"),
        on_delete=models.PROTECT,
        related_name="documents",
        help_text=_("The person the paper is about (the applicant, or the permit's holder)."),
    )
    station = models.ForeignKey(
        Station,
        verbose_name=_("issuing station"),
        on_delete=models.PROTECT,
        related_name="documents",
    )
    year = models.PositiveSmallIntegerField(_("year"))
    serial = models.PositiveIntegerField(_("serial in the year"))
    number = models.CharField(_("document number"), max_length=40, unique=True)
    code = models.CharField(
        _("verification code"), max_length=20, unique=True, default=new_document_code
    )
    event_key = models.CharField(
        _("event"),
        max_length=80,
        help_text=_("The act that issued it: a retried act finds this row and issues nothing."),
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    payload = models.JSONField(
        _("content"),
        default=dict,
        blank=True,
        help_text=_("What the paper says, as decided (rendered after commit from this)."),
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    file = models.FileField(_("PDF"), upload_to=private_upload_to, blank=True)
    content_hash = models.CharField(_("SHA-256 of the PDF"), max_length=64, blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document (文书)")
        verbose_name_plural = _("documents (文书)")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            # One paper per act: a retried accept, notice, refusal or handover issues nothing new
            # (the event key names the application or permit and the act).
            models.UniqueConstraint(fields=["kind", "event_key"], name="document_once_per_event"),
            models.UniqueConstraint(
                fields=["station", "year", "serial"], name="document_number_dense_per_station"
            ),
        ]
        indexes = [
            models.Index(fields=["application", "issued_at"]),
            models.Index(fields=["holder", "kind", "issued_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def get_absolute_url(self) -> str:
        """The owner's (or the station's) download of the PDF."""
        return reverse("permits:document_file", args=[self.pk])

    def page_accounts(self):
        return [
            *application_accounts(self),
            *identity_accounts(self, "holder"),
        ]

    @property
    def paper(self):
        """What its kind declares (``permits.papers``): title, template, facts, verifiability."""
        return papers.get(self.kind)

    @property
    def title(self) -> str:
        """The paper's own title, as printed on it (the refusal: 不予受理 or 不予批准通知书), in
        the active language: what lists and the verification name it by."""
        try:
            return self.paper.title_for(self)
        except papers.UnknownPaper:
            return self.get_kind_display()

    @property
    def is_verifiable(self) -> bool:
        """Whether the public verification page and API confirm this paper."""
        try:
            return self.paper.verifiable
        except papers.UnknownPaper:
            return False

    @property
    def is_rendered(self) -> bool:
        return bool(self.file and self.content_hash)

    def is_expired(self, today=None) -> bool:
        today = today or clock.today()
        return self.valid_until is not None and today > self.valid_until

    def verification_path(self) -> str:
        return reverse("document-verify", args=[self.code])

    def verification_url(self) -> str:
        return f"{settings.SITE_URL.rstrip('/')}{self.verification_path()}"

    @property
    def display_code(self) -> str:
        """The code as printed: groups of four."""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))
