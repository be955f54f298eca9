from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import TimeStampedModel

# Electronic identifier of an agency (Decision 20/2020/QĐ-TTg), e.g. "000.00.14.H56", or the
# post-2025 dotted form "H15.50.05.13" (DOMAIN.md §4.1). Only the shape is checked.
agency_code_validator = RegexValidator(
    r"^[A-Z0-9]{1,4}(\.[A-Z0-9]{1,4}){2,4}$",
    _("Enter an electronic identifier such as 000.00.14.H56."),
)


class AgencyQuerySet(models.QuerySet):
    def primary(self):
        return self.filter(is_primary=True).first()


class Agency(TimeStampedModel):
    """A receiving agency (one-stop desk) and what the public needs to reach it.

    Everything about a particular office (name, address, hotline, identifier) is data here,
    never code, so another office can adopt the portal as it is.
    """

    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=120, blank=True)
    parent_name = models.CharField(
        _("governing body"),
        max_length=255,
        blank=True,
        help_text=_("Printed above the agency's name on slips, e.g. the People's Committee."),
    )
    code = models.CharField(
        _("electronic identifier"),
        max_length=32,
        unique=True,
        validators=[agency_code_validator],
        help_text=_("Used as the prefix of dossier codes."),
    )
    address = models.CharField(_("address"), max_length=255)
    locality = models.CharField(
        _("place name on documents"), max_length=80, help_text=_('e.g. "Nha Trang"')
    )
    hotline = models.CharField(_("hotline"), max_length=40)
    email = models.EmailField(_("email"), blank=True)
    office_hours = models.TextField(_("office hours"))
    is_primary = models.BooleanField(
        _("primary agency"),
        default=False,
        help_text=_("The agency this portal presents on its public pages."),
    )

    objects = AgencyQuerySet.as_manager()

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_primary"],
                condition=models.Q(is_primary=True),
                name="accounts_agency_one_primary",
            )
        ]

    def __str__(self):
        return self.name

    # Cache invalidation only: public pages cache the primary agency (accounts.selectors).
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        from .selectors import forget_primary_agency

        forget_primary_agency()


class Department(TimeStampedModel):
    """A unit of an agency: the one-stop desk, a specialist office, leadership."""

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="departments", verbose_name=_("agency")
    )
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["agency", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="accounts_department_unique")
        ]

    def __str__(self):
        return self.short_name or self.name


class User(AbstractUser):
    """A staff member. Citizens have no account. The role is the user's group(s)."""

    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("department"),
    )
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    phone = models.CharField(_("work phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("staff user")
        verbose_name_plural = _("staff users")

    def __str__(self):
        return self.get_full_name() or self.username

    def get_full_name(self):
        """Vietnamese order: family name first ("Nguyễn" + "Văn An")."""
        return f"{self.last_name} {self.first_name}".strip()
