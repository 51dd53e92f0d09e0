"""The materials catalogue, the uploads of an application, and the application's material
queries (what it asks for, what is missing, what was flagged and re-uploaded)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core import page_cache
from core.uploads import private_upload_to

from .. import service_types
from ..constants import Basis
from ..photo_check import verdict_messages
from .page_accounts import application_accounts


class MaterialRequirement(models.Model):
    """The materials catalogue (seed 001 Art. 9, seed 002): what to upload per service and basis.

    Loaded by a data migration, editable in the admin. An empty basis means "any basis"."""

    service = models.CharField(_("service"), max_length=20, choices=service_types.choices)
    basis = models.CharField(
        _("basis"),
        max_length=20,
        choices=Basis.choices,
        blank=True,
        help_text=_("Empty: required whatever the basis."),
    )
    code = models.SlugField(_("code"), max_length=40)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    description_zh = models.TextField(_("what counts (Chinese)"), blank=True)
    description_en = models.TextField(_("what counts (English)"), blank=True)
    required = models.BooleanField(_("required"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("material requirement")
        verbose_name_plural = _("materials catalogue")
        ordering = ["service", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "basis", "code"], name="material_requirement_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_service_display()}: {self.name}"

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en

    @property
    def description(self) -> str:
        zh = (get_language() or "").startswith("zh")
        return (self.description_zh if zh else self.description_en) or self.description_zh


class ApplicationMaterialsMixin:
    """The material queries of ``PermitApplication`` (kept here, beside the catalogue)."""

    def requirements(self):
        qs = MaterialRequirement.objects.filter(service=self.service, active=True)
        qs = qs.filter(Q(basis="") | Q(basis=self.basis))
        # the service may narrow it (a lost card leaves nothing to photograph: issue 15, point 8)
        return self.service_type.requirements(self, qs).order_by("order", "code")

    def current_materials(self):
        return self.materials.filter(superseded=False).select_related("requirement")

    def missing_required_codes(self) -> list[str]:
        uploaded = set(self.current_materials().values_list("requirement__code", flat=True))
        return [r.code for r in self.requirements() if r.required and r.code not in uploaded]

    def reuploaded_codes_since(self, moment) -> set[str]:
        if moment is None:
            return set()
        return set(
            self.materials.filter(uploaded_at__gt=moment).values_list(
                "requirement__code", flat=True
            )
        )

    def flagged_items_not_reuploaded(self) -> list[str]:
        """Flagged codes that need a new upload (an item flagged as a missing optional
        material or an answer needs none if no upload step exists for it)."""
        steps = set(self.requirements().values_list("code", flat=True))
        done = self.reuploaded_codes_since(self.supplement_requested_at)
        return [c for c in self.flagged_codes() if c in steps and c not in done]

    def flagged_codes(self) -> list[str]:
        return [item["code"] for item in self.flagged_items or []]


@page_cache.watch
class Material(models.Model):
    """One upload for one requirement. A re-upload supersedes, never replaces: the reviewer
    sees every version."""

    application = models.ForeignKey(
        "permits.PermitApplication",
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="materials",
    )
    requirement = models.ForeignKey(
        MaterialRequirement,
        verbose_name=_("requirement"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to=private_upload_to)
    content_type = models.CharField(_("content type"), max_length=50, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    superseded = models.BooleanField(_("superseded by a later upload"), default=False)
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # the certificate photo's check (``permits.photo_check.PhotoVerdict.as_json``: ok, problems,
    # measures), made on upload; empty for every other material (issue 31, point 4)
    photo_check = models.JSONField(_("photo check"), null=True, blank=True)
    # the lessor's confirmation this material stands for (the file is its certificate)
    lessor_confirmation = models.ForeignKey(
        "permits.LessorConfirmation",
        verbose_name=_("lessor's confirmation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("material")
        verbose_name_plural = _("materials")
        ordering = ["application", "requirement__order", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "requirement", "version"], name="material_version_unique"
            ),
            models.UniqueConstraint(
                fields=["application", "requirement"],
                condition=Q(superseded=False),
                name="material_one_current_per_requirement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.requirement.code} v{self.version}"

    def page_accounts(self):
        return application_accounts(self)

    @classmethod
    def page_accounts_of(cls, rows):
        return [
            rows.values("application__filed_by_id"),
            rows.values("application__person__account_id"),
        ]

    @property
    def photo_problems(self) -> list[str]:
        """The photo check's problems in plain words (none: it passed, or was not checked)."""
        return verdict_messages(self.photo_check)

    @property
    def photo_checked_ok(self) -> bool | None:
        return None if self.photo_check is None else bool(self.photo_check.get("ok"))
