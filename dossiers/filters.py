"""The staff dossier list's filters (django-filter), parsed from the query string.

A value that does not validate is ignored on its own while the others still apply (django-filter
filters with the valid fields only); the view lists what was ignored. Time thresholds ("overdue",
"due within N working days") are computed here with core.calendar, never in templates.

Drill-down from a figure (weekly report, dashboard): `?bucket=<name>&period_start=YYYY-MM-DD&
period_end=YYYY-MM-DD` (local dates, the end included) lists exactly the dossiers behind that
figure (dossiers.reporting.period_dossiers), in any status; `procedure` may then be a procedure
id as well as a national code, and `handler` means the responsible officer (the handler, else
the desk officer who received it), as in the figures.
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.calendar import WorkingCalendar, get_calendar
from procedures.constants import ProcedureStatus, SubmissionChannel
from procedures.models import Procedure

from . import reporting
from .constants import OPEN_STATUSES, DossierStatus

OPEN = "open"
ALL = "all"
NOT_ASSIGNED = "none"
MAX_DUE_WITHIN = 60
MAX_TEXT_LENGTH = 100
MAX_PERIOD_DAYS = 400  # a figure's period: a week, a month, a quarter, a year


def due_within_threshold(
    *, days: int, now: datetime.datetime, calendar: WorkingCalendar
) -> datetime.datetime:
    """End of the office day `days` working days after today (0: closing time today)."""
    today = now.astimezone(calendar.tz).date()
    return calendar.end_of_day(calendar.add_working_days(today, days))


class IntegerFilter(django_filters.Filter):
    field_class = forms.IntegerField


class DossierFilterForm(forms.Form):
    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("The end of the period is before its start."))
        if data.get("bucket"):
            self._clean_figure_period(data)
        return data

    def _clean_figure_period(self, data):
        start, end = data.get("period_start"), data.get("period_end")
        if not start or not end:
            if "period_start" not in self.errors and "period_end" not in self.errors:
                self.add_error("bucket", _("Give the period of the figure (start and end)."))
            data.pop("bucket", None)
        elif start > end:
            self.add_error("period_end", _("The end of the period is before its start."))
            data.pop("bucket", None)
        elif (end - start).days >= MAX_PERIOD_DAYS:
            self.add_error("period_end", _("The period of a figure can cover at most a year."))
            data.pop("bucket", None)


class DossierFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_text",
        label=_("Code, name or phone"),
        max_length=MAX_TEXT_LENGTH,
    )
    # Without a status the list is the work queue: open dossiers, most urgent first.
    status = django_filters.ChoiceFilter(
        method="filter_status",
        label=_("Status"),
        empty_label=None,
        choices=[(OPEN, _("All open dossiers")), (ALL, _("Any status, including closed"))]
        + list(DossierStatus.choices),
    )
    procedure = django_filters.ChoiceFilter(
        method="filter_procedure", label=_("Procedure"), empty_label=_("Any procedure")
    )
    handler = django_filters.ChoiceFilter(
        method="filter_handler", label=_("Handling officer"), empty_label=_("Anyone")
    )
    channel = django_filters.ChoiceFilter(
        field_name="channel",
        label=_("Channel"),
        empty_label=_("Any channel"),
        choices=SubmissionChannel.choices,
    )
    received_from = django_filters.DateFilter(
        method="filter_received_from",
        label=_("Received from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    received_to = django_filters.DateFilter(
        method="filter_received_to",
        label=_("Received until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    overdue = django_filters.BooleanFilter(
        method="filter_overdue", label=_("Overdue only"), widget=forms.CheckboxInput
    )
    due_within = IntegerFilter(
        method="filter_due_within",
        label=_("Due within (working days, not overdue)"),
        min_value=0,
        max_value=MAX_DUE_WITHIN,
    )
    # Drill-down from a figure (see the module docstring); applied last, in filter_queryset.
    bucket = django_filters.ChoiceFilter(
        method="filter_nothing",
        label=_("Figure"),
        choices=list(reporting.BUCKETS.items()),
    )
    period_start = django_filters.DateFilter(method="filter_nothing", label=_("Period from"))
    period_end = django_filters.DateFilter(method="filter_nothing", label=_("Period until"))

    class Meta:
        form = DossierFilterForm
        fields: list[str] = []

    def __init__(
        self,
        data=None,
        queryset=None,
        *,
        user,
        now: datetime.datetime | None = None,
        calendar: WorkingCalendar | None = None,
        **kwargs,
    ):
        # A figure counts dossiers in any status (a dossier overdue at the end of last week
        # may be closed now): without a status, a drill-down lists every status.
        self.status_defaulted_for_figure = False
        if data is not None and not data.get("status"):
            data = data.copy()
            if data.get("bucket") in reporting.BUCKETS:
                data["status"] = ALL
                self.status_defaulted_for_figure = True
            else:
                data["status"] = OPEN
        if data is not None and data.get("bucket") and str(data.get("procedure", "")).isdigit():
            data = data.copy()
            data["procedure"] = _procedure_code(data["procedure"]) or data["procedure"]
        super().__init__(data, queryset=queryset, **kwargs)
        self.user = user
        self.now = now or timezone.now()
        self.calendar = calendar or get_calendar()
        agency_id = _agency_id(user)
        self.filters["procedure"].extra["choices"] = _procedure_choices(agency_id)
        # For a figure, `handler` is the responsible officer, who may be the desk officer who
        # received the dossier (nobody assigned yet): any officer of the agency is accepted.
        is_figure = data is not None and data.get("bucket") in reporting.BUCKETS
        self.filters["handler"].extra["choices"] = [(NOT_ASSIGNED, _("Not assigned yet"))] + (
            _agency_staff_choices(agency_id) if is_figure else _handler_choices(agency_id)
        )

    # -- filter methods ----------------------------------------------------------------------
    def filter_text(self, queryset, name, value):
        return queryset.search(value)

    def filter_status(self, queryset, name, value):
        if value == OPEN or not value:
            return queryset.open()
        if value == ALL:
            return queryset
        return queryset.filter(status=value)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if not data.get("status"):  # missing or invalid: the work queue
            queryset = queryset.open()
        elif self.status_defaulted_for_figure and not data.get("bucket"):
            queryset = queryset.open()  # the figure was refused: back to the work queue
        if data.get("bucket"):
            queryset = self.filter_figure(queryset, data)
        return queryset

    def filter_nothing(self, queryset, name, value):
        return queryset

    def filter_figure(self, queryset, data):
        """Only the dossiers behind the figure, by reporting's rules, among the visible ones."""
        handler = data.get("handler")
        officer_id = int(handler) if handler and handler != NOT_ASSIGNED else None
        start = self._start_of(data["period_start"])
        # A period that includes today ends now, as the figures do (reporting.weekly_series):
        # a dossier due at 17:00 today is not overdue at 10:00.
        end = min(self._start_of(data["period_end"] + datetime.timedelta(days=1)), self.now)
        behind = reporting.period_dossiers(
            agency_id=_agency_id(self.user),
            start=start,
            end=end,
            bucket=data["bucket"],
            officer_id=officer_id,
            calendar=self.calendar,
        )
        return queryset.filter(pk__in=behind.values("pk"))

    @property
    def figure_heading(self) -> str | None:
        """ "<figure>, dd/mm/yyyy – dd/mm/yyyy" while drilling down into a figure, else None."""
        if not self.is_bound:
            return None
        self.form.is_valid()
        data = self.form.cleaned_data
        bucket = data.get("bucket")
        if not bucket:
            return None
        return _("%(figure)s, %(start)s – %(end)s") % {
            "figure": reporting.BUCKETS[bucket],
            "start": f"{data['period_start']:%d/%m/%Y}",
            "end": f"{data['period_end']:%d/%m/%Y}",
        }

    @property
    def includes_closed(self) -> bool:
        """Whether the status filter lets closed dossiers through."""
        self.form.is_valid()
        value = self.form.cleaned_data.get("status") or OPEN
        return value not in (OPEN, *OPEN_STATUSES)

    def filter_procedure(self, queryset, name, value):
        # Every version of the procedure: a dossier keeps the version it was received under.
        return queryset.filter(procedure__code=value)

    def filter_handler(self, queryset, name, value):
        if self.form.cleaned_data.get("bucket"):
            return queryset  # the responsible officer: applied with the figure
        if value == NOT_ASSIGNED:
            return queryset.filter(handler__isnull=True)
        return queryset.filter(handler_id=int(value))

    def _start_of(self, day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=self.calendar.tz)

    def filter_received_from(self, queryset, name, value):
        return queryset.filter(received_at__gte=self._start_of(value))

    def filter_received_to(self, queryset, name, value):
        return queryset.filter(received_at__lt=self._start_of(value + datetime.timedelta(days=1)))

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue(self.now) if value else queryset

    def filter_due_within(self, queryset, name, value):
        # "Sắp đến hạn": not overdue yet, due by the end of the N-th working day from today.
        # Overdue dossiers have their own filter.
        threshold = due_within_threshold(days=value, now=self.now, calendar=self.calendar)
        return queryset.due_by(threshold).filter(due_at__gte=self.now)

    # -- reporting ---------------------------------------------------------------------------
    def ignored_messages(self) -> list[str]:
        """One line per filter value that did not validate (and was therefore ignored)."""
        if not self.is_bound or self.form.is_valid():
            return []
        out = []
        for name, errors in self.form.errors.items():
            label = self.form.fields[name].label if name in self.form.fields else ""
            for error in errors:
                out.append(f"{label}: {error}" if label else str(error))
        return out


def _agency_id(user):
    department = getattr(user, "department", None)
    return department.agency_id if department else None


def _procedure_code(pk: str) -> str | None:
    """The national code of procedure `pk` (a figure's link names a procedure by id)."""
    return Procedure.objects.filter(pk=int(pk)).values_list("code", flat=True).first()


def _agency_staff_choices(agency_id) -> list[tuple[str, str]]:
    """Every staff member of the agency, by name (a figure's responsible officer)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.select_related("department")
    if agency_id is not None:
        users = users.filter(department__agency_id=agency_id)
    users = users.order_by("last_name", "first_name", "username")
    return [(str(user.pk), str(user)) for user in users]


def _procedure_choices(agency_id) -> list[tuple[str, str]]:
    """One entry per procedure code (latest received-able version's name) of the agency."""
    qs = Procedure.objects.exclude(status=ProcedureStatus.DRAFT)
    if agency_id is not None:
        qs = qs.filter(agency_id=agency_id)
    seen: dict[str, str] = {}
    for code, title in qs.order_by("code", "-version").values_list("code", "name"):
        seen.setdefault(code, f"{code} · {title}")
    return sorted(seen.items(), key=lambda item: item[1])


def _handler_choices(agency_id) -> list[tuple[str, str]]:
    from .selectors import assignable_officers  # selectors import this module

    officers = assignable_officers(agency_id=agency_id, active_only=False)
    return [(str(officer.pk), str(officer)) for officer in officers]
