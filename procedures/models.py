"""The catalogue of administrative procedures (thủ tục hành chính, TTHC).

One `Procedure` row is one *version* of a procedure. Rows that share `code` are the versions of
the same procedure; at most one is published at a time. A published or retired version is never
edited: staff revise it into a new draft (services.procedure_revise), so a dossier keeps pointing
at the exact version it was received under.

Components follow Decree 63/2010 Art. 8(2) as amended by Decree 92/2017 and the fields used on
national portal pages (DOMAIN.md §6).
"""

from django.conf import settings
from django.core.validators import FileExtensionValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.calendar import TimeUnit
from core.models import TimeStampedModel
from core.text import fold

from .constants import OnlineLevel, ProcedureLevel, ProcedureStatus, SubmissionChannel
from .querysets import ProcedureQuerySet

national_code_validator = RegexValidator(
    r"^\d\.\d{6}$", _("A national procedure code looks like 1.000963.")
)


class Field(TimeStampedModel):
    """Field (lĩnh vực) a procedure belongs to, e.g. Văn hóa cơ sở, Thư viện."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("field")
        verbose_name_plural = _("fields")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Procedure(TimeStampedModel):
    agency = models.ForeignKey(
        "accounts.Agency",
        on_delete=models.PROTECT,
        related_name="procedures",
        verbose_name=_("receiving agency"),
    )
    code = models.CharField(
        _("national code"), max_length=20, validators=[national_code_validator], db_index=True
    )
    local_code = models.CharField(
        _("local code"),
        max_length=60,
        blank=True,
        help_text=_("National code followed by the publishing agency's identifier."),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    status = models.CharField(
        _("status"), max_length=12, choices=ProcedureStatus.choices, default=ProcedureStatus.DRAFT
    )
    name = models.CharField(_("name"), max_length=500)
    field = models.ForeignKey(
        Field, on_delete=models.PROTECT, related_name="procedures", verbose_name=_("field")
    )
    level = models.CharField(
        _("level"), max_length=12, choices=ProcedureLevel.choices, default=ProcedureLevel.DISTRICT
    )
    # b) Sequence of steps: ProcedureStep rows. c) Methods: SubmissionMethod rows.
    # d) Dossier components and copies: DossierComponent rows.
    # đ) Processing time.
    processing_time_amount = models.DecimalField(
        _("processing time"),
        max_digits=6,
        decimal_places=1,
        validators=[MinValueValidator(0)],
    )
    processing_time_unit = models.CharField(
        _("processing time unit"),
        max_length=16,
        choices=TimeUnit.choices,
        default=TimeUnit.WORKING_DAYS,
    )
    processing_time_note = models.CharField(
        _("note on processing time"),
        max_length=500,
        blank=True,
        help_text=_("e.g. counted from receipt of a complete, valid dossier"),
    )
    receipt_cutoff = models.TimeField(
        _("same-day receipt cut-off"),
        null=True,
        blank=True,
        help_text=_(
            "Dossiers received after this time count as received on the next working day. "
            "Empty: the portal-wide default."
        ),
    )
    # e) Subjects. g) Implementing agency (and the other agencies of the national record).
    subjects = models.TextField(_("subjects"))
    implementing_agency = models.CharField(_("implementing agency"), max_length=255)
    competent_agency = models.CharField(_("competent agency"), max_length=255, blank=True)
    authorised_agency = models.CharField(_("authorised agency"), max_length=255, blank=True)
    coordinating_agency = models.CharField(_("coordinating agency"), max_length=255, blank=True)
    receiving_address = models.CharField(_("where to submit"), max_length=255, blank=True)
    # h) Where the law requires them: result, requirements/conditions, fees.
    result = models.TextField(_("result"))
    requirements = models.TextField(_("requirements and conditions"), blank=True)
    fee_description = models.TextField(
        _("fees and charges"), blank=True, help_text=_("Empty means no fee.")
    )
    fee_legal_basis = models.TextField(_("legal basis of the fees"), blank=True)
    legal_basis = models.TextField(_("legal basis"))
    publication_decision = models.CharField(
        _("publication decision"), max_length=255, help_text=_("e.g. 1789/QĐ-UBND")
    )
    online_level = models.CharField(
        _("online service level"),
        max_length=10,
        choices=OnlineLevel.choices,
        default=OnlineLevel.NONE,
    )
    online_url = models.URLField(_("online submission address"), blank=True)
    effective_from = models.DateField(_("effective from"), null=True, blank=True)
    effective_until = models.DateField(_("effective until"), null=True, blank=True)
    is_illustrative = models.BooleanField(
        _("illustrative"),
        default=False,
        help_text=_("Content not verified against the publication decision; shown with a warning."),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    # Lower-case, diacritics-free copy of the searchable text (core.text.fold).
    search_text = models.TextField(editable=False, default="")

    objects = ProcedureQuerySet.as_manager()

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["code", "-version"]
        permissions = [("publish_procedure", _("Can publish and retire procedures"))]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="procedures_code_version"),
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(status="published"),
                name="procedures_one_published_version",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "published", "retired"]),
                name="procedures_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(effective_until__isnull=True)
                | models.Q(effective_from__isnull=True)
                | models.Q(effective_until__gte=models.F("effective_from")),
                name="procedures_effective_range",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("procedures:procedure-detail", kwargs={"code": self.code})

    @property
    def is_editable(self) -> bool:
        return self.status == ProcedureStatus.DRAFT

    @property
    def has_fee(self) -> bool:
        return bool(self.fee_description.strip())

    def build_search_text(self) -> str:
        return fold(" ".join([self.code, self.local_code, self.name, self.field.name]))

    def save(self, *args, **kwargs):
        self.search_text = self.build_search_text()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "search_text"}
        super().save(*args, **kwargs)


class ProcedureStep(models.Model):
    """b) One step of the sequence of steps (trình tự thực hiện)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    title = models.CharField(_("step"), max_length=255)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("step")
        verbose_name_plural = _("sequence of steps")
        ordering = ["procedure", "position", "id"]

    def __str__(self):
        return self.title


class SubmissionMethod(models.Model):
    """c) A method of submission with its own time, fee and note (one row per channel)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="methods")
    channel = models.CharField(_("channel"), max_length=1, choices=SubmissionChannel.choices)
    processing_time = models.CharField(_("processing time"), max_length=255)
    fee = models.CharField(_("fee or charge"), max_length=255, blank=True)
    note = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("submission method")
        verbose_name_plural = _("submission methods")
        ordering = ["procedure", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "channel"], name="procedures_method_once")
        ]

    def __str__(self):
        return self.get_channel_display()


def form_upload_to(instance, filename):
    return f"procedures/forms/{instance.procedure.code}/v{instance.procedure.version}/{filename}"


class DossierComponent(models.Model):
    """d) A document of the dossier, how many originals and copies, and its form if any."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="components")
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    name = models.CharField(_("document"), max_length=500)
    original_count = models.PositiveSmallIntegerField(_("originals"), default=1)
    copy_count = models.PositiveSmallIntegerField(_("copies"), default=0)
    is_required = models.BooleanField(_("required"), default=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    form_name = models.CharField(
        _("form name"), max_length=255, blank=True, help_text=_("e.g. Mẫu số 01")
    )
    form_file = models.FileField(
        _("form file"),
        upload_to=form_upload_to,
        blank=True,
        validators=[FileExtensionValidator(settings.PROCEDURE_FORM_EXTENSIONS)],
    )

    class Meta:
        verbose_name = _("dossier component")
        verbose_name_plural = _("dossier components")
        ordering = ["procedure", "position", "id"]

    def __str__(self):
        return self.name


class WorkflowStep(models.Model):
    """Internal workflow: which unit handles the dossier and for how long (§6, §3.1)."""

    procedure = models.ForeignKey(
        Procedure, on_delete=models.CASCADE, related_name="workflow_steps"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=1)
    unit = models.CharField(_("unit"), max_length=255)
    task = models.CharField(_("task"), max_length=500)
    time_budget = models.DecimalField(
        _("time budget"), max_digits=6, decimal_places=2, validators=[MinValueValidator(0)]
    )
    time_budget_unit = models.CharField(
        _("unit of time"), max_length=16, choices=TimeUnit.choices, default=TimeUnit.WORKING_DAYS
    )

    class Meta:
        verbose_name = _("internal workflow step")
        verbose_name_plural = _("internal workflow")
        ordering = ["procedure", "position", "id"]

    def __str__(self):
        return f"{self.position}. {self.unit}"
