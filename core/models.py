from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Base for every domain model: when the row was created and last changed."""

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class CalendarOverride(TimeStampedModel):
    """An administrator's correction to the public-holiday calendar (DOMAIN.md §11).

    The Government announces bridge days off and make-up working Saturdays every year; the
    holidays package knows some of them, and these rows add or correct the rest.
    """

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Extra day off")
        WORKING_DAY = "working_day", _("Make-up working day")

    day = models.DateField(_("day"), unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("reason"), max_length=255)

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["-day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["day_off", "working_day"]),
                name="core_calendaroverride_kind_valid",
            )
        ]

    def __str__(self):
        return f"{self.day:%d/%m/%Y} {self.get_kind_display()}: {self.name}"

    # Cache invalidation only (no business rule): the calendar caches the overrides.
    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        from .calendar import invalidate_overrides

        invalidate_overrides()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        from .calendar import invalidate_overrides

        invalidate_overrides()
        return result
