"""The staff index page as an Excel workbook (openpyxl), one sheet per table of the page.

Sheets: the index per criterion (with the overall index and, for leaders, the 766 5.4
estimate), by procedure, by officer (leaders), by month, the facility checklist per month and
the expectations (leaders). The figures come from one `satisfaction.selectors.IndexReport`,
the very object the page renders, so the file and the page cannot disagree. Shares are
percentages (0-100, one decimal shown), means have two decimals; "no answers" is an empty
cell. Headings follow the active language (Vietnamese by default).
"""

from __future__ import annotations

import tempfile

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from core.pdf import local

from .selectors import GroupIndex, IndexReport

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The export lists at most this many expectations (the page shows fewer).
MAX_EXPECTATIONS = 5000
SHARE_FORMAT = "0.0"
MEAN_FORMAT = "0.00"
DATE_FORMAT = "dd/mm/yyyy hh:mm"

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_WRAP = Alignment(wrap_text=True, vertical="top")


def _share(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def _mean(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def _header(sheet, cells: list[str], widths: list[int]) -> None:
    sheet.append(cells)
    for cell in sheet[sheet.max_row]:
        cell.font = _BOLD
        cell.alignment = _WRAP
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=sheet.max_row + 1, column=2)


def _formats(sheet, row: int, formats: dict[int, str]) -> None:
    for column, fmt in formats.items():
        sheet.cell(row=row, column=column).number_format = fmt


def _title(sheet, text: str, report: IndexReport) -> None:
    sheet.append([text])
    sheet.cell(row=sheet.max_row, column=1).font = _TITLE
    sheet.append(
        [
            _("From %(start)s to %(end)s")
            % {"start": f"{report.start_day:%d/%m/%Y}", "end": f"{report.end_day:%d/%m/%Y}"}
        ]
    )
    sheet.append([])


def _criteria_sheet(sheet, report: IndexReport, filters: list[str]) -> None:
    _title(sheet, _("Satisfaction index"), report)
    for line in filters:
        sheet.append([line])
    sheet.append([_("Responses"), report.index.response_count])
    sheet.append([_("Overall index (%)"), _share(report.index.overall)])
    _formats(sheet, sheet.max_row, {2: SHARE_FORMAT})
    sheet.append([_("Mean score (1-5)"), _mean(report.index.mean)])
    _formats(sheet, sheet.max_row, {2: MEAN_FORMAT})
    if report.estimate is not None:
        estimate = report.estimate
        sheet.append([str(estimate.label) + " (%)", estimate.value])
        _formats(sheet, sheet.max_row, {2: "0.00"})
        sheet.append([_("Dossiers counted"), estimate.denominator])
        sheet.append([_("Late dossiers"), estimate.late_count])
        sheet.append([_("Dossiers with feedback or a low rating"), estimate.complained_count])
    sheet.append([])
    _header(
        sheet,
        [
            _("Criterion"),
            _("Answers"),
            _("Answers scored 4-5"),
            _("Satisfied (%)"),
            _("Mean score (1-5)"),
        ],
        [48, 12, 14, 14, 14],
    )
    for criterion in report.index.criteria:
        sheet.append(
            [
                criterion.label,
                criterion.answer_count,
                criterion.satisfied_count,
                _share(criterion.share),
                _mean(criterion.mean),
            ]
        )
        _formats(sheet, sheet.max_row, {4: SHARE_FORMAT, 5: MEAN_FORMAT})


def _groups_sheet(sheet, title: str, first_heading: str, groups: list[GroupIndex], report) -> None:
    _title(sheet, title, report)
    criteria = report.index.criteria
    _header(
        sheet,
        [
            first_heading,
            _("Responses"),
            _("Overall index (%)"),
            _("Mean score (1-5)"),
            *(f"{c.label} (%)" for c in criteria),
        ],
        [40, 11, 13, 13, *([16] * len(criteria))],
    )
    for group in groups:
        sheet.append(
            [
                group.label,
                group.index.response_count,
                _share(group.index.overall),
                _mean(group.index.mean),
                *(_share(group.index.criterion(c.code).share) for c in criteria),
            ]
        )
        _formats(
            sheet,
            sheet.max_row,
            {3: SHARE_FORMAT, 4: MEAN_FORMAT} | {5 + i: SHARE_FORMAT for i in range(len(criteria))},
        )


def _facility_sheet(sheet, report: IndexReport) -> None:
    _title(sheet, _("What citizens found missing at the desk"), report)
    table = report.facilities
    _header(
        sheet,
        [_("Month"), *(label for _code, label in table.options)],
        [12, *([18] * len(table.options))],
    )
    for first_day, counts in table.months:
        sheet.append([f"{first_day:%m/%Y}", *counts])
    sheet.append([_("Total"), *table.totals])
    for cell in sheet[sheet.max_row]:
        cell.font = _BOLD


def _expectations_sheet(sheet, report: IndexReport) -> None:
    _title(sheet, _("Citizens' expectations"), report)
    _header(sheet, [_("Submitted at"), _("Procedure"), _("Expectation")], [18, 40, 80])
    for response in report.expectations or []:
        sheet.append(
            [
                local(response.submitted_at).replace(tzinfo=None),
                response.procedure.name if response.procedure_id else "",
                response.expectation,
            ]
        )
        row = sheet.max_row
        sheet.cell(row=row, column=1).number_format = DATE_FORMAT
        sheet.cell(row=row, column=3).alignment = _WRAP


def index_workbook(*, report: IndexReport, filters: list[str] | None = None):
    """Write `report` as a workbook to a temporary file and return it, rewound (the caller, a
    FileResponse, closes it). `filters`: lines describing the filters applied. No query: every
    figure is already in the report."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Criteria")[:31]
    _criteria_sheet(sheet, report, filters or [])
    _groups_sheet(
        workbook.create_sheet(_("By procedure")[:31]),
        _("Satisfaction index by procedure"),
        _("Procedure"),
        report.by_procedure,
        report,
    )
    if report.by_officer is not None:
        sheet = workbook.create_sheet(_("By officer")[:31])
        _groups_sheet(
            sheet, _("Satisfaction index by officer"), _("Officer"), report.by_officer, report
        )
        sheet.append([])
        sheet.append(
            [_("A response counts for both officers it rates: the desk officer and the handler.")]
        )
    _groups_sheet(
        workbook.create_sheet(_("By month")[:31]),
        _("Satisfaction index by month"),
        _("Month"),
        report.trend,
        report,
    )
    _facility_sheet(workbook.create_sheet(_("Desk conditions")[:31]), report)
    if report.expectations is not None:
        _expectations_sheet(workbook.create_sheet(_("Expectations")[:31]), report)
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    workbook.save(output)
    output.seek(0)
    return output


def index_filename(report: IndexReport) -> str:
    return f"chi-so-hai-long_{report.start_day:%Y-%m-%d}_{report.end_day:%Y-%m-%d}.xlsx"
