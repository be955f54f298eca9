"""The tracking ledger (sổ theo dõi hồ sơ, DOMAIN.md §5.6) as an Excel workbook.

One book per agency and calendar year ("Quyển số" = the year of receipt); a dossier's number in
the book ("Số thứ tự") is its rank among the dossiers the agency accepted that year, by time of
receipt. The receipt slip prints the same two numbers, so the paper slip points at its ledger
row. Refused and not-yet-accepted online submissions are not entered (they have no due date).
The rank is derived, not stored: it stays fixed as long as no dossier is entered with an earlier
receipt time afterwards.

The export streams: a write-only workbook fed by `.iterator()` over one `select_related` query,
so memory and the number of queries stay flat whatever the number of rows.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import phonenumbers
from django.db.models import OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from core.pdf import local, local_zone

from .constants import DossierStatus, Timeliness
from .models import Dossier, DossierTransfer
from .permissions import visible_dossiers
from .rules import Slip, profile_for

MAX_PERIOD_DAYS = 366
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"

# Status names of the national portal (DOMAIN.md §3.7), printed in legal registers as is.
STATUS_VI = {
    DossierStatus.SUBMITTED: "Mới đăng ký",
    DossierStatus.ACCEPTED: "Được tiếp nhận",
    DossierStatus.REFUSED: "Không được tiếp nhận",
    DossierStatus.PROCESSING: "Đang xử lý",
    DossierStatus.SUPPLEMENT_REQUESTED: "Yêu cầu bổ sung giấy tờ",
    DossierStatus.AWAITING_PAYMENT: "Yêu cầu thực hiện nghĩa vụ tài chính",
    DossierStatus.WITHDRAWN: "Công dân yêu cầu rút hồ sơ",
    DossierStatus.STOPPED: "Dừng xử lý",
    DossierStatus.RESOLVED: "Đã xử lý xong",
    DossierStatus.RETURNED: "Đã trả kết quả",
}
# DOMAIN.md §3.8 and the control slip's "trước hạn / đúng hạn / quá hạn".
TIMELINESS_VI = {
    Timeliness.EARLY: "Trước hạn",
    Timeliness.ON_TIME: "Đúng hạn",
    Timeliness.LATE: "Quá hạn",
}

# (header, width) of form 06 (Circular 01/2018) / form 07 (Circular 03/2025) [U: DOMAIN §5.6].
COLUMNS = [
    ("STT", 6),
    ("Mã hồ sơ", 26),
    ("Tên thủ tục hành chính", 40),
    ("Số lượng hồ sơ (bộ)", 9),
    ("Tên cá nhân, tổ chức", 24),
    ("Địa chỉ, số điện thoại", 32),
    ("Cơ quan chủ trì giải quyết", 24),
    ("Nhận hồ sơ", 17),
    ("Hẹn trả kết quả", 17),
    ("Chuyển hồ sơ đến cơ quan giải quyết", 17),
    ("Nhận kết quả từ cơ quan giải quyết", 17),
    ("Trả kết quả cho cá nhân, tổ chức", 17),
    ("Ký nhận", 14),
    ("Ghi chú", 30),
]
HEADER_ROW = 5  # 1-based row of the column headers; the data start two rows below


class LedgerPeriodError(ValueError):
    """The requested period cannot be exported; the message is shown to the officer."""


@dataclass(frozen=True)
class LedgerPeriod:
    start: date  # first day, inclusive
    end: date  # last day, inclusive

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=local_zone())

    @property
    def end_at(self) -> datetime:
        """Exclusive upper bound: midnight after the last day (local time)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=local_zone())


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _parse_day(raw: str) -> date:
    raw = raw.strip()
    if not _ISO_DATE.match(raw):
        raise LedgerPeriodError(_("Enter dates as YYYY-MM-DD, for example 2026-03-31."))
    try:
        day = date.fromisoformat(raw)
    except ValueError as error:
        raise LedgerPeriodError(_("%(value)s is not a valid date.") % {"value": raw}) from error
    if not 1900 <= day.year <= 2999:
        raise LedgerPeriodError(_("%(value)s is not a valid date.") % {"value": raw})
    return day


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def parse_period(raw_from: str | None, raw_to: str | None, *, today: date) -> LedgerPeriod:
    """The period of `?from=YYYY-MM-DD&to=YYYY-MM-DD`, both days included.

    Defaults: the current month; a missing `from` is the first day of the `to` month, a missing
    `to` the last day of the `from` month. At most MAX_PERIOD_DAYS days. Raises
    LedgerPeriodError with a message for the officer.
    """
    start = _parse_day(raw_from) if raw_from else None
    end = _parse_day(raw_to) if raw_to else None
    if start is None and end is None:
        start = today.replace(day=1)
    if start is None:
        start = end.replace(day=1)
    if end is None:
        end = _month_end(start)
    if start > end:
        raise LedgerPeriodError(_("The start date must not be after the end date."))
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise LedgerPeriodError(_("The period can cover at most one year."))
    return LedgerPeriod(start=start, end=end)


# --- numbering ----------------------------------------------------------------------------


def _entered(agency_id):
    """Dossiers entered in the agency's ledger: accepted ones (they have a due date)."""
    return Dossier.objects.filter(agency_id=agency_id, original_due_at__isnull=False)


def _year_start(moment: datetime) -> datetime:
    return datetime(local(moment).year, 1, 1, tzinfo=local_zone())


def ledger_number(dossier: Dossier) -> tuple[int, int] | None:
    """(book, number) of a dossier in its agency's ledger: the year and the rank. One query.

    None for a dossier that is not in the ledger (refused at intake, not yet accepted).
    """
    if dossier.original_due_at is None:
        return None
    rank = (
        _entered(dossier.agency_id)
        .filter(received_at__gte=_year_start(dossier.received_at))
        .filter(
            Q(received_at__lt=dossier.received_at)
            | Q(received_at=dossier.received_at, pk__lte=dossier.pk)
        )
        .count()
    )
    return local(dossier.received_at).year, rank


# --- rows ---------------------------------------------------------------------------------


def ledger_dossiers(*, user, agency, period: LedgerPeriod):
    """The agency's ledger rows received in `period`, oldest first, with the first hand-over.

    Visibility follows dossiers.permissions; the export view also requires
    `dossiers.export_ledger`.
    """
    first_transfer = (
        DossierTransfer.objects.filter(dossier=OuterRef("pk"))
        .order_by("sent_at", "id")
        .values("sent_at")[:1]
    )
    return (
        visible_dossiers(user, _entered(agency.pk))
        .received_between(period.start_at, period.end_at)
        .select_related("procedure")
        .annotate(first_transfer_at=Subquery(first_transfer))
        .order_by("received_at", "id")
    )


def phone_display(e164: str) -> str:
    """A stored E.164 number as Vietnamese write it: "0905 123 456"."""
    try:
        number = phonenumbers.parse(e164, "VN")
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def _applicant(dossier) -> str:
    if dossier.organisation_name:
        return f"{dossier.organisation_name} ({dossier.applicant_name})"
    return dossier.applicant_name


def _notes(dossier) -> str:
    notes = [STATUS_VI.get(dossier.status, dossier.status)]
    if dossier.timeliness:
        notes.append(TIMELINESS_VI[dossier.timeliness])
    if dossier.rescheduled_due_at:
        notes.append(f"Hẹn lại: {local(dossier.rescheduled_due_at):%d/%m/%Y %H:%M}")
    if dossier.due_at and dossier.original_due_at and dossier.due_at != dossier.original_due_at:
        notes.append(f"Hạn sau tạm dừng: {local(dossier.due_at):%d/%m/%Y %H:%M}")
    return "; ".join(notes)


def _excel_time(value: datetime | None):
    """Excel has no time zones: write the local wall-clock time, naive."""
    return local(value).replace(tzinfo=None) if value else None


def ledger_row(dossier, number: int) -> list:
    return [
        number,
        dossier.code,
        dossier.procedure.name,
        dossier.set_count,
        _applicant(dossier),
        f"{dossier.applicant_address}; ĐT: {phone_display(dossier.applicant_phone)}",
        dossier.procedure.implementing_agency,
        _excel_time(dossier.received_at),
        _excel_time(dossier.original_due_at),
        _excel_time(getattr(dossier, "first_transfer_at", None)),
        _excel_time(dossier.paper_result_received_at or dossier.resolved_at),
        _excel_time(dossier.returned_at),
        "",
        _notes(dossier),
    ]


def numbered_rows(dossiers: Iterable, *, first_number: int, first_year: int):
    """(number, dossier) pairs: numbering goes on from `first_number`, restarting at 1 with
    each new year (a new book)."""
    number, year = first_number - 1, first_year
    for dossier in dossiers:
        received_year = local(dossier.received_at).year
        if received_year != year:
            number, year = 0, received_year
        number += 1
        yield number, dossier


# --- workbook -----------------------------------------------------------------------------

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(wrap_text=True, vertical="top")
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _cell(sheet, value, *, bold=False, size=None, italic=False, align=None, border=False, fmt=None):
    cell = WriteOnlyCell(sheet, value=value)
    if bold or size or italic:
        cell.font = Font(bold=bold, italic=italic, size=size)
    if align is not None:
        cell.alignment = align
    if border:
        cell.border = _BORDER
    if fmt:
        cell.number_format = fmt
    return cell


def ledger_workbook(*, user, agency, period: LedgerPeriod):
    """Write the ledger of `agency` for `period` to a temporary file and return it, rewound.

    Queries: one count (the numbering base) and one streamed select, whatever the row count.
    The caller closes the file (FileResponse does).
    """
    profile = profile_for(period.end)
    form = profile.form(Slip.LEDGER)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=form.title.title()[:31])
    for index, (_header, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"C{HEADER_ROW + 2}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = 9  # A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True  # print all columns on the page width
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW + 1}"

    sheet.append(
        [_cell(sheet, (agency.parent_name or "").upper())]
        + [None] * (len(COLUMNS) - 2)
        + [_cell(sheet, f"Mẫu số {form.number}", italic=True)]
    )
    sheet.append([_cell(sheet, agency.name.upper(), bold=True)])
    sheet.append([None, None, _cell(sheet, form.title, bold=True, size=14)])
    sheet.append(
        [
            None,
            None,
            _cell(
                sheet,
                f"Từ ngày {period.start:%d/%m/%Y} đến ngày {period.end:%d/%m/%Y}",
                italic=True,
            ),
        ]
    )
    sheet.append([_cell(sheet, h, bold=True, align=_CENTER, border=True) for h, _w in COLUMNS])
    sheet.append(
        [
            _cell(sheet, f"({i})", italic=True, align=_CENTER, border=True)
            for i in range(1, len(COLUMNS) + 1)
        ]
    )

    base = (
        _entered(agency.pk)
        .filter(received_at__gte=_year_start(period.start_at), received_at__lt=period.start_at)
        .count()
    )
    dossiers = ledger_dossiers(user=user, agency=agency, period=period).iterator(chunk_size=500)
    date_columns = {8, 9, 10, 11, 12}
    for number, dossier in numbered_rows(
        dossiers, first_number=base + 1, first_year=period.start.year
    ):
        sheet.append(
            [
                _cell(
                    sheet,
                    value,
                    align=_CENTER if column in date_columns or column in (1, 4) else _WRAP,
                    border=True,
                    fmt=DATETIME_FORMAT if column in date_columns else None,
                )
                for column, value in enumerate(ledger_row(dossier, number), start=1)
            ]
        )

    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    workbook.save(output)
    output.seek(0)
    return output


def ledger_filename(period: LedgerPeriod) -> str:
    return f"so-theo-doi-ho-so_{period.start:%Y-%m-%d}_{period.end:%Y-%m-%d}.xlsx"
