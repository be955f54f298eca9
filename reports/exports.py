"""The weekly report as files: an Excel workbook (openpyxl) and a PDF (WeasyPrint, core.pdf).

Both are drawn from a `reports.selectors.WeeklyReportView`, the object the page shows, so the
page, the files and the email agree to the figure. Texts go through gettext; the builder
(reports.services) renders them in the office's language. Times are written in the portal's
time zone (core.pdf.local).
"""

from __future__ import annotations

import io
from datetime import datetime

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter

from core.pdf import document_header, local, render_pdf

from .selectors import WeeklyReportView

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
PERCENT_FORMAT = "0.0%"

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
_WRAP = Alignment(wrap_text=True, vertical="top")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center", horizontal="center")
_TITLE_FONT = Font(bold=True, size=13)
_BOLD = Font(bold=True)
# The body cells' looks as named styles, one per number format (None: text and integers):
# naming a style once per cell is much cheaper than setting its border and alignment.
_CELL_STYLES = {
    None: "BCT ô",
    DATE_FORMAT: "BCT ngày",
    DATETIME_FORMAT: "BCT ngày giờ",
    PERCENT_FORMAT: "BCT tỷ lệ",
}


def _add_cell_styles(workbook) -> None:
    for number_format, name in _CELL_STYLES.items():
        style = NamedStyle(name=name, border=_BORDER, alignment=_WRAP)
        if number_format:
            style.number_format = number_format
        workbook.add_named_style(style)


def _excel_time(value: datetime | None):
    """Excel has no time zones: the local wall-clock time, naive."""
    return local(value).replace(tzinfo=None) if value else None


def yes_no(value) -> str:
    return _("Yes") if value else _("No")


def _title(view: WeeklyReportView) -> str:
    return _("Weekly report on late dossiers, %(start)s – %(end)s") % {
        "start": f"{view.first_day:%d/%m/%Y}",
        "end": f"{view.last_day:%d/%m/%Y}",
    }


def _cell(sheet, value, *, font=None, fill=None, alignment=None, border=None):
    """A heading or header cell."""
    cell = WriteOnlyCell(sheet, value=value)
    if font is not None:
        cell.font = font
    if fill is not None:
        cell.fill = fill
    if alignment is not None:
        cell.alignment = alignment
    if border is not None:
        cell.border = border
    return cell


def _sheet(workbook, title: str, headers: list[tuple[str, int]], heading: list[str]):
    """A streamed (write-only) sheet with its heading lines and a header row repeated on each
    printed page; rows are added with `_append`, in order."""
    sheet = workbook.create_sheet(title=title[:31])
    for index, (_header, width) in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header_row = len(heading) + 2  # the heading, an empty line, the header
    sheet.freeze_panes = f"A{header_row + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = 9  # A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = f"{header_row}:{header_row}"
    for number, line in enumerate(heading):
        font = _TITLE_FONT if number == 0 else None
        sheet.append([_cell(sheet, line, font=font)])
    sheet.append([])
    sheet.append(
        [
            _cell(
                sheet,
                header,
                font=_BOLD,
                fill=_HEADER_FILL,
                alignment=_HEADER_ALIGN,
                border=_BORDER,
            )
            for header, _width in headers
        ]
    )
    return sheet


def _append(sheet, values: list, formats: dict[int, str] | None = None) -> None:
    """A body row: bordered, wrapped cells; `formats` by column number (1-based)."""
    formats = formats or {}
    row = []
    for index, value in enumerate(values, start=1):
        cell = WriteOnlyCell(sheet, value=value)
        cell.style = _CELL_STYLES[formats.get(index)]
        row.append(cell)
    sheet.append(row)


def _group_sheet(workbook, view, title: str, first_header: str, rows) -> None:
    sheet = _sheet(
        workbook,
        title,
        [
            (first_header, 42),
            (_("Counted"), 10),
            (_("Early"), 10),
            (_("On time"), 10),
            (_("Late"), 10),
            (_("Open, on time"), 12),
            (_("Open, overdue"), 12),
            (_("On-time rate"), 12),
            (_("Last week"), 12),
        ],
        [_title(view), view.agency_name],
    )
    for row in rows:
        f = row.figures
        _append(
            sheet,
            [
                row.label,
                f.counted,
                f.resolved_early,
                f.resolved_on_time,
                f.resolved_late,
                f.open_on_time,
                f.open_overdue,
                f.on_time_rate,
                row.previous_rate,
            ],
            {8: PERCENT_FORMAT, 9: PERCENT_FORMAT},
        )


def weekly_report_xlsx(view: WeeklyReportView) -> bytes:
    """The workbook: summary (figures, change, 766 ratios), late dossiers, by procedure, by
    officer."""
    # Streamed (write-only): 3,779 late dossiers took 11 s as an ordinary workbook.
    workbook = Workbook(write_only=True)
    _add_cell_styles(workbook)
    summary = _sheet(
        workbook,
        pgettext("weekly report sheet", "Summary"),
        [
            (_("Figure"), 52),
            (_("This week"), 14),
            (_("Last week"), 14),
            (pgettext("compared with last week", "Change"), 12),
        ],
        [
            _title(view),
            view.agency_name,
            _("Built %(at)s; figures as at the end of the week (Monday 00:00).")
            % {"at": f"{local(view.report.built_at):%d/%m/%Y %H:%M}"},
        ],
    )
    for row in view.figure_rows:
        _append(summary, [row.label, row.value, row.previous, row.change])
    summary.append([])
    summary.append(
        [
            _cell(
                summary,
                _("Service-quality ratios (766), internal estimate, not the official score"),
                font=_BOLD,
            )
        ]
    )
    for ratio in view.ratio_rows:
        _append(
            summary,
            [f"{ratio.code} {ratio.label}", ratio.value, ratio.previous, ratio.change],
            {2: PERCENT_FORMAT, 3: PERCENT_FORMAT, 4: PERCENT_FORMAT},
        )

    late = _sheet(
        workbook,
        _("Late dossiers"),
        [
            (_("Dossier code"), 26),
            (_("Procedure"), 36),
            (_("Applicant"), 20),
            (_("Received"), 16),
            (_("Original due date"), 16),
            (_("Due date (with pauses)"), 16),
            (_("Rescheduled to"), 16),
            (_("Working days late"), 10),
            (_("State at the end of the week"), 18),
            (_("Current step"), 22),
            (_("Officer"), 20),
            (_("Apology"), 10),
            (_("Apology date"), 14),
            (_("Explanation"), 16),
            (_("Reason"), 24),
            (_("Explanation text"), 48),
        ],
        [_title(view), view.agency_name],
    )
    for row in view.overdue:
        _append(
            late,
            [
                row.code,
                row.procedure,
                row.applicant,
                _excel_time(row.received_at),
                _excel_time(row.original_due_at),
                _excel_time(row.due_at),
                _excel_time(row.rescheduled_due_at),
                row.working_days_late,
                row.state_label,
                row.step,
                row.officer,
                yes_no(row.apology_at),
                _excel_time(row.apology_at),
                row.explanation.status_label if row.explanation else _("Not requested yet"),
                row.explanation.reason_label if row.explanation else "",
                row.explanation.text if row.explanation else "",
            ],
            {4: DATETIME_FORMAT, 5: DATETIME_FORMAT, 6: DATETIME_FORMAT, 7: DATETIME_FORMAT}
            | {13: DATE_FORMAT},
        )
    _group_sheet(workbook, view, _("By procedure"), _("Procedure"), view.by_procedure)
    _group_sheet(workbook, view, _("By officer"), _("Officer"), view.by_officer)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def weekly_report_pdf(view: WeeklyReportView) -> bytes:
    """The report as an A4 landscape PDF (templates/reports/weeklyreport_pdf.html). The late
    list stops after REPORTS_WEEKLY_PDF_MAX_ROWS rows (open ones come first), with a line
    saying how many more the Excel file lists: the PDF is for reading, the workbook for work."""
    report = view.report
    limit = settings.REPORTS_WEEKLY_PDF_MAX_ROWS
    return render_pdf(
        "reports/weeklyreport_pdf.html",
        {
            "view": view,
            "late_rows": view.overdue[:limit],
            "late_rows_left_out": max(0, len(view.overdue) - limit),
            "title": _title(view),
            "header": document_header(report.agency, issued_at=report.built_at),
            "language_code": translation.get_language(),
        },
    )
