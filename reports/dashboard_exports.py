"""The dashboard's figures as CSV and as an Excel workbook (openpyxl).

Both are built from the same `reports.dashboard.Dashboard` the page shows, so the exported
numbers are the page's numbers. The CSV holds every table one after another (title line, header,
rows, blank line), UTF-8 with a byte-order mark so Excel reads the Vietnamese letters; the
workbook has one sheet per table. Rates are fractions in the workbook (formatted as %), and
percentages in the active language's notation in the CSV.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.charts import format_value
from dossiers import reporting

from .dashboard import Dashboard

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE = "%d/%m/%Y"
DATETIME = "%d/%m/%Y %H:%M"


class Rate(float):
    """A ratio 0..1 in a table: a percentage cell in Excel, "87,5%" in the CSV."""


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list]


def _local(moment):
    return timezone.localtime(moment)


def _rate(value: float | None):
    return None if value is None else Rate(value)


def _figure_columns() -> list[str]:
    return [
        _("Received"),
        _("Received online"),
        _("Finished"),
        _("Finished early"),
        _("Finished on time"),
        _("Finished late"),
        _("Open, on time"),
        _("Open, overdue"),
        _("Counted"),
        _("On time"),
        _("On-time rate"),
    ]


def _figure_cells(figures: reporting.PeriodFigures) -> list:
    return [
        figures.received,
        figures.received_online,
        figures.finished,
        figures.resolved_early,
        figures.resolved_on_time,
        figures.resolved_late,
        figures.open_on_time,
        figures.open_overdue,
        figures.counted,
        figures.on_time,
        _rate(figures.on_time_rate),
    ]


def tables(data: Dashboard) -> list[Table]:
    """Every table of the dashboard, in page order."""
    period = data.period
    procedure = data.filters.procedure
    summary = Table(
        _("Summary"),
        [_("Item"), _("Value")],
        [
            [_("Figures of"), _("the whole agency") if data.scope.is_agency else _("my dossiers")],
            [
                _("Period"),
                f"{period.first_day.strftime(DATE)} – {period.last_day.strftime(DATE)}",
            ],
            [_("Procedure"), procedure.name if procedure else _("Every procedure")],
            [_("As of"), _local(data.now).strftime(DATETIME)],
            [_("Note"), _("Internal estimate, not the official score.")],
        ],
    )
    today = Table(
        _("Today"),
        [_("Figure"), _("Dossiers")],
        [[str(figure.label), figure.value] for figure in data.today]
        + [
            [
                _("At risk (due within %(days)d working days)")
                % {"days": settings.DASHBOARD_AT_RISK_WORKING_DAYS},
                data.at_risk_count,
            ]
        ]
        + [[str(figure.label), figure.value] for figure in data.paused],
    )
    trend = Table(
        _("Weekly trend"),
        [_("Week from"), _("To"), *_figure_columns()],
        [
            [
                row.week_start.strftime(DATE),
                row.last_day.strftime(DATE),
                *_figure_cells(row.figures),
            ]
            for row in data.trend
        ],
    )
    out = [summary, today, trend]
    out.append(
        Table(
            _("By procedure"),
            [_("Procedure"), *_figure_columns()],
            [[row.label, *_figure_cells(row.figures)] for row in data.by_procedure],
        )
    )
    if data.by_officer is not None:
        out.append(
            Table(
                _("By officer"),
                [_("Officer"), *_figure_columns()],
                [[row.label, *_figure_cells(row.figures)] for row in data.by_officer],
            )
        )
    out.append(
        Table(
            _("Service index: internal estimates"),
            [_("Indicator"), _("Name"), _("Numerator"), _("Denominator"), _("Estimate"), _("Note")],
            [
                [e.code, str(e.label), e.numerator, e.denominator, _rate(e.rate), str(e.note)]
                for e in data.estimates
            ],
        )
    )
    out.append(
        Table(
            _("At risk"),
            [_("Code"), _("Procedure"), _("Handling officer"), _("Due"), _("Working days left")],
            [
                [
                    row.dossier.code,
                    row.dossier.procedure.name,
                    str(row.dossier.handler) if row.dossier.handler else "",
                    _local(row.dossier.due_at).strftime(DATETIME),
                    row.working_days_left,
                ]
                for row in data.at_risk
            ],
        )
    )
    out.append(
        Table(
            _("Paused"),
            [
                _("Code"),
                _("Procedure"),
                _("Waiting for"),
                _("Reason"),
                _("Since"),
                _("Working days paused"),
            ],
            [
                [
                    row.pause.dossier.code,
                    row.pause.dossier.procedure.name,
                    row.pause.get_kind_display(),
                    row.pause.reason,
                    _local(row.pause.started_at).strftime(DATETIME),
                    row.working_days,
                ]
                for row in data.paused_rows
            ],
        )
    )
    return out


def filename(data: Dashboard, fmt: str) -> str:
    period = data.period
    return f"dieu-hanh-{period.first_day:%Y%m%d}-{period.last_day:%Y%m%d}.{fmt}"


def _csv_cell(value):
    if isinstance(value, Rate):
        return format_value(round(value * 100, 1), "%")
    if value is None:
        return format_value(None)
    return value


def as_csv(data: Dashboard) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for index, table in enumerate(tables(data)):
        if index:
            writer.writerow([])
        writer.writerow([table.title])
        writer.writerow(table.headers)
        for row in table.rows:
            writer.writerow([_csv_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(data: Dashboard) -> bytes:
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for table in tables(data):
        # Sheet titles: at most 31 characters, none of []:*?/\ (Excel's rules).
        title = "".join(ch for ch in table.title if ch not in "[]:*?/\\")[:31]
        sheet = book.create_sheet(title)
        sheet.append([table.title])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append(table.headers)
        for cell in sheet[2]:
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        for row in table.rows:
            sheet.append([None if value is None else value for value in row])
            for cell, value in zip(sheet[sheet.max_row], row, strict=False):
                if isinstance(value, Rate):
                    cell.number_format = "0.0%"
        for column, header in enumerate(table.headers, start=1):
            longest = max(
                [len(str(header))]
                + [len(str(row[column - 1])) for row in table.rows if row[column - 1] is not None]
            )
            sheet.column_dimensions[get_column_letter(column)].width = min(max(longest + 2, 8), 60)
        sheet.freeze_panes = "A3"
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()
