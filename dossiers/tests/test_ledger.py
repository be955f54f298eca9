"""The tracking ledger export (.xlsx): period, rows, numbering, errors and permissions."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from dossiers import services
from dossiers.ledger import HEADER_ROW, LedgerPeriodError, parse_period
from dossiers.tests.factories import applicant, register_dossier

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
URL = reverse("dossiers:ledger-export")
FIRST_DATA_ROW = HEADER_ROW + 2


def at(*args):
    return datetime(*args, tzinfo=VN)


def export(client, **query):
    response = client.get(URL, query)
    assert response.status_code == 200, response.content[:500]
    content = b"".join(response.streaming_content)
    return response, load_workbook(io.BytesIO(content)).active


def data_rows(sheet):
    return [
        row
        for row in sheet.iter_rows(min_row=FIRST_DATA_ROW, values_only=True)
        if row[0] is not None
    ]


@pytest.fixture
def desk_client(client, desk):
    client.force_login(desk)
    return client


def test_rows_of_the_period_only_numbered_within_the_year(desk_client, procedure, desk):
    register_dossier(procedure=procedure, user=desk, received_at=at(2026, 2, 27, 9))
    march_first = register_dossier(
        procedure=procedure, user=desk, received_at=at(2026, 3, 2, 9, 15), name="Trần Thị Bình"
    )
    march_last = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 3, 31, 16))
    register_dossier(procedure=procedure, user=desk, received_at=at(2026, 4, 1, 0, 5))
    with time_machine.travel(at(2026, 3, 10, 9), tick=False):
        services.dossier_refuse_at_intake(  # refused at intake: not entered in the ledger
            procedure=procedure, applicant=applicant(), reason="Sai thẩm quyền", user=desk
        )

    response, sheet = export(desk_client, **{"from": "2026-03-01", "to": "2026-03-31"})

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "so-theo-doi-ho-so_2026-03-01_2026-03-31.xlsx" in response["Content-Disposition"]
    rows = data_rows(sheet)
    assert [row[1] for row in rows] == [march_first.code, march_last.code]
    assert [row[0] for row in rows] == [2, 3]  # the February dossier is number 1 of the book
    first = rows[0]
    assert first[2] == procedure.name
    assert first[3] == 1
    assert first[4] == "Trần Thị Bình"
    assert first[5] == "12 Lê Thánh Tôn, phường Nha Trang, Khánh Hòa; ĐT: 0905 123 456"
    assert first[6] == procedure.implementing_agency
    assert first[7] == datetime(2026, 3, 2, 9, 15)  # local wall-clock time
    assert first[8] == datetime(2026, 3, 9, 17, 0)
    assert first[9] is None and first[10] is None and first[11] is None
    assert first[13] == "Được tiếp nhận"
    date_cell = sheet.cell(row=FIRST_DATA_ROW, column=8)
    assert date_cell.number_format == "dd/mm/yyyy hh:mm"


def test_title_agency_period_and_vietnamese_headers(desk_client, procedure, desk):
    response, sheet = export(desk_client, **{"from": "2026-03-01", "to": "2026-03-31"})
    values = [cell for row in sheet.iter_rows(max_row=4, values_only=True) for cell in row if cell]
    assert "UBND THÀNH PHỐ NHA TRANG" in values
    assert "PHÒNG VĂN HÓA VÀ THÔNG TIN THÀNH PHỐ NHA TRANG" in values
    assert "SỔ THEO DÕI HỒ SƠ" in values
    assert "Mẫu số 07" in values  # Circular 03/2025 numbering for a 2026 period
    assert "Từ ngày 01/03/2026 đến ngày 31/03/2026" in values
    headers = [c.value for c in sheet[HEADER_ROW]]
    assert headers[:3] == ["STT", "Mã hồ sơ", "Tên thủ tục hành chính"]
    assert "Chuyển hồ sơ đến cơ quan giải quyết" in headers
    assert "Trả kết quả cho cá nhân, tổ chức" in headers
    assert headers[-2:] == ["Ký nhận", "Ghi chú"]
    assert sheet.freeze_panes == f"C{FIRST_DATA_ROW}"
    assert sheet.column_dimensions["C"].width == 40


def test_a_2025_first_half_period_uses_the_form_06_numbering(desk_client):
    _response, sheet = export(desk_client, **{"from": "2025-01-01", "to": "2025-06-30"})
    values = [cell for row in sheet.iter_rows(max_row=4, values_only=True) for cell in row if cell]
    assert "Mẫu số 06" in values


def test_hand_over_result_and_return_columns(desk_client, procedure, desk, officer):
    dossier = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 3, 2, 9))
    with time_machine.travel(at(2026, 3, 2, 14), tick=False):
        services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    with time_machine.travel(at(2026, 3, 4, 10), tick=False):
        services.dossier_resolve(dossier=dossier, user=officer)
    with time_machine.travel(at(2026, 3, 4, 15, 30), tick=False):
        services.dossier_record_paper_result(dossier=dossier, user=desk)
    with time_machine.travel(at(2026, 3, 5, 8), tick=False):
        services.dossier_return_result(dossier=dossier, user=desk)
    _response, sheet = export(desk_client, **{"from": "2026-03-01", "to": "2026-03-31"})
    (row,) = data_rows(sheet)
    assert row[9] == datetime(2026, 3, 2, 14, 0)
    assert row[10] == datetime(2026, 3, 4, 15, 30)  # the paper result reached the desk
    assert row[11] == datetime(2026, 3, 5, 8, 0)
    assert row[12] is None  # signed by hand
    assert row[13] == "Đã trả kết quả; Trước hạn"


def test_default_period_is_the_current_month(desk_client, procedure, desk):
    register_dossier(procedure=procedure, user=desk, received_at=at(2026, 2, 27, 9))
    inside = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 3, 3, 9))
    with time_machine.travel(at(2026, 3, 15, 10), tick=False):
        response, sheet = export(desk_client)
    assert "so-theo-doi-ho-so_2026-03-01_2026-03-31.xlsx" in response["Content-Disposition"]
    assert [row[1] for row in data_rows(sheet)] == [inside.code]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        # The officer reads the messages in Vietnamese, the portal's default language.
        ({"from": "01/03/2026"}, "YYYY-MM-DD"),
        ({"from": "2026-13-01"}, "không phải là ngày hợp lệ"),
        ({"from": "2026-02-30", "to": "2026-03-01"}, "không phải là ngày hợp lệ"),
        ({"from": "9999-12-31", "to": "9999-12-31"}, "không phải là ngày hợp lệ"),
        ({"from": "2026-03-31", "to": "2026-03-01"}, "không được sau ngày kết thúc"),
        ({"from": "2025-01-01", "to": "2026-03-01"}, "tối đa là một năm"),
    ],
)
def test_bad_periods_give_a_message_not_an_error(desk_client, query, message):
    response = desk_client.get(URL, query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
    assert 'name="from"' in response.content.decode()  # the officer can correct the dates


def test_parse_period_fills_in_a_missing_bound():
    today = datetime(2026, 3, 15).date()
    period = parse_period("2026-02-10", None, today=today)
    assert (str(period.start), str(period.end)) == ("2026-02-10", "2026-02-28")
    period = parse_period(None, "2026-05-20", today=today)
    assert (str(period.start), str(period.end)) == ("2026-05-01", "2026-05-20")
    period = parse_period("2025-03-01", "2026-02-28", today=today)  # 365 days: allowed
    assert period.end_at == at(2026, 3, 1)
    with pytest.raises(LedgerPeriodError):
        parse_period("2025-03-01", "2026-03-02", today=today)


def test_without_the_export_permission_the_ledger_is_forbidden(client, officer):
    client.force_login(officer)
    assert client.get(URL).status_code == 403


def test_anonymous_users_are_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_another_agency_s_dossiers_are_not_in_the_ledger(desk_client, procedure, desk):
    from accounts.constants import Role
    from accounts.tests.factories import AgencyFactory
    from dossiers.tests.factories import published_procedure, staff

    other = AgencyFactory(code="000.00.21.H32", name="Phòng khác")
    register_dossier(
        procedure=published_procedure(other),
        user=staff(other, Role.DESK_OFFICER),
        received_at=at(2026, 3, 2, 9),
    )
    own = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 3, 2, 10))
    _response, sheet = export(desk_client, **{"from": "2026-03-01", "to": "2026-03-31"})
    assert [row[1] for row in data_rows(sheet)] == [own.code]
    assert [row[0] for row in data_rows(sheet)] == [1]


def test_query_count_does_not_grow_with_the_rows(
    desk_client, procedure, desk, officer, django_assert_max_num_queries
):
    for index in range(50):
        dossier = register_dossier(
            procedure=procedure, user=desk, received_at=at(2026, 3, 2 + index % 20, 8, index)
        )
        if index % 5 == 0:
            services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    with django_assert_max_num_queries(9):
        _response, sheet = export(desk_client, **{"from": "2026-03-01", "to": "2026-03-31"})
    rows = data_rows(sheet)
    assert len(rows) == 50
    assert [row[0] for row in rows] == list(range(1, 51))
    assert sum(1 for row in rows if row[9] is not None) == 10
