"""The dashboard's filters: period (a preset or chosen dates) and procedure, from the query string.

A value that does not validate never breaks the page: the dashboard falls back to the default
(this week, every procedure) and says in Vietnamese what was ignored.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from .dashboard import (
    DEFAULT_PERIOD,
    PERIOD_CHOICES,
    DashboardPeriod,
    PeriodError,
    Scope,
    procedure_choices,
    procedure_for,
    resolve_period,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DashboardFilterForm(forms.Form):
    period = forms.ChoiceField(label=_("Period"), choices=PERIOD_CHOICES, required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=DATE_INPUT, input_formats=["%Y-%m-%d"]
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=DATE_INPUT, input_formats=["%Y-%m-%d"]
    )
    procedure = forms.TypedChoiceField(
        label=_("Procedure"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, data=None, *, scope: Scope, now: dt.datetime, calendar, **kwargs):
        super().__init__(data, **kwargs)
        self.scope = scope
        self.now = now
        self.calendar = calendar
        self.fields["procedure"].choices = [("", _("Every procedure")), *procedure_choices(scope)]
        self.procedure = None
        self.resolved_period: DashboardPeriod | None = None

    def clean(self):
        data = super().clean()
        if data.get("procedure") is not None:
            self.procedure = procedure_for(self.scope, data["procedure"])
        if {"period", "start", "end"} & set(self.errors):
            return data  # already explained; the default period applies
        typed_dates = bool(data.get("start") or data.get("end"))
        # Dates without a period choice mean "chosen dates"; a preset ignores leftover dates.
        kind = data.get("period") or ("custom" if typed_dates else DEFAULT_PERIOD)
        try:
            self.resolved_period = resolve_period(
                kind,
                first_day=data.get("start"),
                last_day=data.get("end"),
                now=self.now,
                calendar=self.calendar,
            )
        except PeriodError as error:
            self.add_error(None, str(error))
        return data

    def chosen(self) -> tuple[DashboardPeriod, object, list[str]]:
        """(period, procedure or None, messages about what was ignored). A filter that does not
        validate falls back to its default on its own: this week, every procedure."""
        messages = []
        if not self.is_valid():
            for name, errors in self.errors.items():
                label = self.fields[name].label if name in self.fields else ""
                messages += [f"{label}: {error}" if label else str(error) for error in errors]
        period = self.resolved_period or resolve_period(
            DEFAULT_PERIOD, now=self.now, calendar=self.calendar
        )
        return period, self.procedure, messages
