"""Forms of the leadership side of the satisfaction app: the index page's filters (period,
procedure, officer), the follow-up list's filters and the follow-up actions.

Filters never fail the page: invalid values are reported in Vietnamese next to the form and the
page falls back to the default period and no filter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .constants import FollowUpStatus

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y"]
MIN_YEAR = 2000


@dataclass(frozen=True)
class IndexFilters:
    """The resolved filters of the index page: both days inclusive, local dates."""

    start_day: date
    end_day: date
    procedure_id: int | None = None
    officer_id: int | None = None


def default_period(today: date) -> tuple[date, date]:
    """The 12 months up to today: from the first day of the month 11 months ago (the trend
    months) to today."""
    months = settings.SATISFACTION_TREND_MONTHS
    first = today.replace(day=1)
    for _i in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, today


def _date_field(label):
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": gettext_lazy("Enter a date such as 2026-03-31.")},
    )


class _IdChoiceField(forms.TypedChoiceField):
    def __init__(self, *, label, empty_label, rows):
        super().__init__(
            label=label,
            required=False,
            coerce=int,
            empty_value=None,
            choices=[("", empty_label), *((str(pk), name) for pk, name in rows)],
            error_messages={
                "invalid_choice": gettext_lazy("This choice is not in the list. Pick one again.")
            },
        )


class IndexFilterForm(forms.Form):
    """`?period_start=YYYY-MM-DD&period_end=YYYY-MM-DD&procedure=<id>&officer=<user id>`.

    The officer filter exists only for users who see everyone's figures (`officers` given)."""

    period_start = _date_field(gettext_lazy("From"))
    period_end = _date_field(gettext_lazy("To"))

    def __init__(self, data=None, *, procedures, officers=None, today: date):
        super().__init__(data)
        self.today = today
        self.fields["procedure"] = _IdChoiceField(
            label=_("Procedure"), empty_label=_("All procedures"), rows=procedures
        )
        if officers is not None:
            self.fields["officer"] = _IdChoiceField(
                label=_("Officer"), empty_label=_("All officers"), rows=officers
            )
        start, end = default_period(today)
        self.fields["period_start"].widget.attrs["placeholder"] = start.isoformat()
        self.fields["period_end"].widget.attrs["placeholder"] = end.isoformat()

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        for name in ("period_start", "period_end"):
            day = data.get(name)
            if day is not None and not MIN_YEAR <= day.year <= self.today.year + 1:
                self.add_error(
                    name,
                    _("Pick a date between %(first)d and %(last)d.")
                    % {
                        "first": MIN_YEAR,
                        "last": self.today.year + 1,
                    },
                )
        if start and end:
            if start > end:
                raise forms.ValidationError(_("The start date must not be after the end date."))
            if (end - start).days + 1 > settings.SATISFACTION_MAX_PERIOD_DAYS:
                raise forms.ValidationError(
                    _("The period can cover at most %(days)d days.")
                    % {"days": settings.SATISFACTION_MAX_PERIOD_DAYS}
                )
        return data

    def filters(self) -> IndexFilters:
        """The filters to apply: the valid input, else the defaults (call after is_valid())."""
        default_start, default_end = default_period(self.today)
        data = self.cleaned_data if self.is_bound and not self.errors else {}
        start, end = data.get("period_start"), data.get("period_end")
        if start is None and end is None:
            start, end = default_start, default_end
        elif start is None:
            start = end.replace(day=1)
        elif end is None:
            end = max(start, min(default_end, start + timedelta(days=365)))
        return IndexFilters(
            start_day=start,
            end_day=end,
            procedure_id=data.get("procedure"),
            officer_id=data.get("officer"),
        )


STATUS_CHOICES = [
    ("", gettext_lazy("All")),
    (FollowUpStatus.OPEN, FollowUpStatus.OPEN.label),
    (FollowUpStatus.CLOSED, FollowUpStatus.CLOSED.label),
]


class FollowUpFilterForm(forms.Form):
    """`?status=open|closed&procedure=<id>&officer=<user id>&criterion=<code>&page=<n>`."""

    status = forms.ChoiceField(label=gettext_lazy("Status"), required=False, choices=STATUS_CHOICES)
    page = forms.IntegerField(required=False, min_value=1, max_value=100000)

    def __init__(self, data=None, *, procedures, officers, criteria):
        super().__init__(data)
        self.fields["procedure"] = _IdChoiceField(
            label=_("Procedure"), empty_label=_("All procedures"), rows=procedures
        )
        self.fields["officer"] = _IdChoiceField(
            label=_("Officer"), empty_label=_("All officers"), rows=officers
        )
        self.fields["criterion"] = forms.ChoiceField(
            label=_("Low score on"),
            required=False,
            choices=[("", _("Any criterion")), *criteria],
            error_messages={
                "invalid_choice": gettext_lazy("This choice is not in the list. Pick one again.")
            },
        )

    def valid_data(self) -> dict:
        """The fields that are valid (an invalid one is ignored, not the whole filter)."""
        self.is_valid()
        return {
            name: value
            for name, value in getattr(self, "cleaned_data", {}).items()
            if name not in self.errors
        }


class FollowUpTextForm(forms.Form):
    """The text of a follow-up action: a note, the action taken when closing, the reason to
    reopen. Required; the service checks it again."""

    text = forms.CharField(
        label=gettext_lazy("Text"),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Write what was done.")},
    )

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.SATISFACTION_FOLLOWUP_TEXT_MAX_CHARS
        self.fields["text"].validators.append(MaxLengthValidator(limit))
        self.fields["text"].widget.attrs["maxlength"] = limit
        if label:
            self.fields["text"].label = label
