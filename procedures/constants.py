from django.db import models
from django.utils.translation import gettext_lazy as _


class ProcedureStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class ProcedureLevel(models.TextChoices):
    """Level of government that settles the procedure (DOMAIN.md §6)."""

    PROVINCE = "province", _("Province")
    DISTRICT = "district", _("District")
    COMMUNE = "commune", _("Commune")


class OnlineLevel(models.TextChoices):
    """Online public service level, Decree 42/2022/NĐ-CP (DOMAIN.md §9)."""

    NONE = "none", _("Not online")
    PARTIAL = "partial", _("Partially online")
    FULL = "full", _("Fully online")


class SubmissionChannel(models.TextChoices):
    """Submission channels; the values are the national portal's KenhThucHien codes (§3.7)."""

    IN_PERSON = "1", _("In person")
    ONLINE = "2", _("Online")
    POSTAL = "3", _("By public postal service")
