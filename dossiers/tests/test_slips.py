"""Printed slips: what a desk officer sees on the page and in the PDF, by dossier state."""

import io
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from accounts.constants import Role
from accounts.tests.factories import AgencyFactory
from core.qr import qr_svg
from dossiers import services
from dossiers.constants import DocumentKind
from dossiers.slips import person_name
from dossiers.tests.factories import applicant, published_procedure, register_dossier, staff
from dossiers.tokens import lookup_url

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")


def at(*args):
    return datetime(*args, tzinfo=VN)


def slip_url(dossier, slip, **query):
    url = reverse("dossiers:dossier-slip", kwargs={"code": dossier.code, "slip": slip})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def pdf_url(dossier, slip):
    return reverse("dossiers:dossier-slip-pdf", kwargs={"code": dossier.code, "slip": slip})


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def pdf_text(content: bytes) -> tuple[str, PdfReader]:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(p.extract_text() for p in reader.pages), reader


@pytest.fixture
def desk_client(client, desk):
    client.force_login(desk)
    return client


@pytest.fixture
def dossier(procedure, desk):
    """Received Monday 2/3/2026 09:30 (ND118_2025): 5 working days -> 9/3/2026 17:00."""
    return services.dossier_register(
        procedure=procedure,
        applicant=applicant(),
        documents=[
            services.DocumentData("Đơn đề nghị cấp giấy phép", DocumentKind.ORIGINAL, 1),
            services.DocumentData(
                "Giấy chứng nhận đăng ký kinh doanh", DocumentKind.CERTIFIED_COPY
            ),
            services.DocumentData("Sơ đồ mặt bằng phòng hát", DocumentKind.COPY, 2),
            services.DocumentData("Giấy chứng nhận đủ điều kiện PCCC", DocumentKind.COPY, 1),
            services.DocumentData("Văn bản ủy quyền", DocumentKind.ORIGINAL, 1),
        ],
        user=desk,
        received_at=at(2026, 3, 2, 9, 30),
    )


def reschedule(dossier, user, *, today, new_due_at, reason="Cần xác minh thực tế tại cơ sở"):
    with time_machine.travel(today, tick=False):
        return services.dossier_reschedule(
            dossier=dossier, user=user, reason=reason, new_due_at=new_due_at, signed_by="Trần B"
        )


# --- receipt ---------------------------------------------------------------------------------
def test_receipt_prints_header_code_qr_documents_and_appointment(desk_client, dossier, desk):
    html = page(desk_client, slip_url(dossier, "receipt"))
    assert '<html lang="vi">' in html
    for text in MOTTO:
        assert text in html
    assert "UBND THÀNH PHỐ NHA TRANG" in html
    assert "PHÒNG VĂN HÓA VÀ THÔNG TIN THÀNH PHỐ NHA TRANG" in html
    assert "Nha Trang, ngày 02 tháng 3 năm 2026" in html
    assert "Mẫu số 01" in html
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in html
    assert f"Số: {dossier.code}" in html
    assert "Tiếp nhận hồ sơ của: <strong>Nguyễn Văn An</strong>" in html
    assert "0905 123 456" in html
    assert dossier.procedure.name in html
    assert "3. Thời gian giải quyết hồ sơ theo quy định là: 05 ngày làm việc" in html
    assert "4. Thời gian nhận hồ sơ: 09 giờ 30 phút, ngày 02 tháng 3 năm 2026" in html
    assert "<strong>17 giờ 00 phút, ngày 09 tháng 3 năm 2026</strong>" in html
    assert "Quyển số: 2026&emsp;Số thứ tự: 1" in html
    assert "NGƯỜI NỘP HỒ SƠ" in html and "NGƯỜI TIẾP NHẬN HỒ SƠ" in html
    assert person_name(desk) == "Nguyễn Văn A" and "Nguyễn Văn A" in html  # family name first
    assert "Văn A Nguyễn" not in html
    assert "Căn cước" in html  # note: bring the slip and an ID


def test_receipt_lists_every_document_with_its_form_and_quantity(desk_client, dossier):
    html = page(desk_client, slip_url(dossier, "receipt"))
    rows = html.split('<table class="grid documents">')[1].split("</table>")[0]
    assert rows.count("<tr>") == 1 + 5  # header + the five documents
    assert (
        '<td class="center">3</td><td>Sơ đồ mặt bằng phòng hát</td>'
        '<td class="center">Bản sao</td><td class="center">02</td>'
    ) in rows
    assert "Bản sao có chứng thực" in rows and "Bản chính" in rows
    assert "Văn bản ủy quyền" in rows


def test_the_qr_code_encodes_the_signed_lookup_link(desk_client, dossier):
    html = page(desk_client, slip_url(dossier, "receipt"))
    assert "<svg" in html
    expected = qr_svg(lookup_url(dossier.code), title=f"Mã hồ sơ {dossier.code}")
    assert expected in html
    assert qr_svg(lookup_url(dossier.code + "X")) not in html


def test_ledger_number_counts_the_agency_s_dossiers_of_the_year(desk_client, procedure, desk):
    register_dossier(procedure=procedure, user=desk, received_at=at(2025, 12, 30, 9))
    register_dossier(procedure=procedure, user=desk, received_at=at(2026, 1, 5, 9))
    services.dossier_refuse_at_intake(
        procedure=procedure, applicant=applicant(), reason="Sai thẩm quyền", user=desk
    )  # refused: not in the ledger
    third = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 1, 6, 9))
    html = page(desk_client, slip_url(third, "receipt"))
    assert "Quyển số: 2026&emsp;Số thứ tự: 2" in html


# --- rule profiles ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("received", "today", "new_due", "apology_title", "control_form"),
    [
        (
            at(2025, 6, 30, 9),
            at(2025, 7, 1, 9),
            at(2025, 7, 10, 17),
            "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
            "Mẫu số 05",
        ),
        (
            at(2026, 3, 2, 9),
            at(2026, 3, 4, 9),
            at(2026, 3, 13, 17),
            "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
            "Mẫu số 06",
        ),
    ],
    ids=["ND61_2018", "ND118_2025"],
)
def test_titles_and_form_numbers_follow_the_profile_of_the_receipt_date(
    desk_client, procedure, desk, boss, received, today, new_due, apology_title, control_form
):
    dossier = register_dossier(procedure=procedure, user=desk, received_at=received)
    reschedule(dossier, boss, today=today, new_due_at=new_due)
    apology = page(desk_client, slip_url(dossier, "apology"))
    assert apology_title in apology
    assert "Mẫu số 04" in apology
    other = {
        "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ",
        "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT",
    } - {apology_title}
    assert other.pop() not in apology
    control = page(desk_client, slip_url(dossier, "control"))
    assert control_form in control
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in control


# --- apology ---------------------------------------------------------------------------------
def test_apology_exists_only_after_a_reschedule(desk_client, dossier, boss):
    assert desk_client.get(slip_url(dossier, "apology")).status_code == 404
    assert desk_client.get(pdf_url(dossier, "apology")).status_code == 404
    reschedule(dossier, boss, today=at(2026, 3, 4, 9), new_due_at=at(2026, 3, 13, 17))
    html = page(desk_client, slip_url(dossier, "apology"))
    assert "Kính gửi: Ông/Bà <strong>Nguyễn Văn An</strong>" in html
    assert dossier.code in html and "<svg" in html
    assert "Thời gian hẹn trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 09 tháng 3" in html
    assert "Lý do: Cần xác minh thực tế tại cơ sở" in html
    assert "trân trọng xin lỗi Ông/Bà" in html
    assert "<strong>17 giờ 00 phút, ngày 13 tháng 3 năm 2026</strong>" in html
    assert "Nha Trang, ngày 04 tháng 3 năm 2026" in html
    assert "Trần B" in html


# --- supplement, refusal, stop, guidance -----------------------------------------------------
def test_supplement_request_slip_lists_items_reason_and_contact(
    desk_client, dossier, desk, officer
):
    assert desk_client.get(slip_url(dossier, "supplement")).status_code == 404
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    services.dossier_request_supplement(
        dossier=dossier,
        user=officer,
        items=["Bản sao Giấy chứng nhận PCCC", "Sơ đồ vị trí phòng hát có kích thước"],
        reason="Hồ sơ thiếu giấy tờ theo quy định",
        legal_basis="Điều 30 Nghị định 54/2019/NĐ-CP",
    )
    html = page(desk_client, slip_url(dossier, "supplement"))
    assert "Mẫu số 02" in html and "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in html
    assert "Số: 01/HDHS" in html
    assert "Yêu cầu Ông/Bà hoàn thiện hồ sơ gồm những nội dung sau:" in html
    assert "<td>Sơ đồ vị trí phòng hát có kích thước</td>" in html
    assert "Lý do: Hồ sơ thiếu giấy tờ theo quy định" in html
    assert "Căn cứ pháp lý: Điều 30 Nghị định 54/2019/NĐ-CP" in html
    assert "NGƯỜI HƯỚNG DẪN" in html and person_name(officer) in html
    assert dossier.procedure.agency.hotline in html
    assert dossier.code in html and "<svg" in html


def test_supplement_slip_of_another_dossier_s_pause_is_404(desk_client, dossier, desk, officer):
    other = register_dossier(procedure=dossier.procedure, user=desk)
    for each in (dossier, other):
        services.dossier_assign(dossier=each, handler=officer, user=desk)
        services.dossier_request_supplement(
            dossier=each, user=officer, items=["Bản sao"], reason="Thiếu"
        )
    foreign_pause = other.pauses.get()
    url = slip_url(dossier, "supplement", pause=foreign_pause.pk)
    assert desk_client.get(url).status_code == 404
    own_pause = dossier.pauses.get()
    assert desk_client.get(slip_url(dossier, "supplement", pause=own_pause.pk)).status_code == 200


def test_refused_dossier_has_only_the_refusal_slip(desk_client, procedure, desk):
    dossier = services.dossier_refuse_at_intake(
        procedure=procedure,
        applicant=applicant(),
        reason="Không thuộc thẩm quyền giải quyết\nĐề nghị nộp tại UBND phường",
        user=desk,
    )
    html = page(desk_client, slip_url(dossier, "refusal"))
    assert "Mẫu số 03" in html and "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in html
    assert "thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:" in html
    assert "<li>Không thuộc thẩm quyền giải quyết</li>" in html
    assert "<li>Đề nghị nộp tại UBND phường</li>" in html
    for slip in ("receipt", "control", "apology", "stop"):
        assert desk_client.get(slip_url(dossier, slip)).status_code == 404


def test_stop_notice_only_for_a_stopped_dossier(desk_client, dossier, desk, officer):
    assert desk_client.get(slip_url(dossier, "stop")).status_code == 404
    assert desk_client.get(slip_url(dossier, "refusal")).status_code == 404
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    services.dossier_stop(dossier=dossier, user=officer, reason="Cơ sở không đủ diện tích")
    html = page(desk_client, slip_url(dossier, "stop"))
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in html and "Mẫu số 05" in html
    assert "<li>Cơ sở không đủ diện tích</li>" in html
    assert "THỦ TRƯỞNG CƠ QUAN" in html


def test_unknown_slip_names_are_404(desk_client, dossier):
    for slip in ("ledger", "guidance", "nothing"):
        assert desk_client.get(slip_url(dossier, slip)).status_code == 404


def test_guidance_slip_has_the_form_02_layout_without_a_code(client, procedure, desk, officer):
    guidance = services.intake_guidance_issue(
        procedure=procedure,
        applicant_name="Lê Thị Cúc",
        items=["Đơn đề nghị theo Mẫu số 01", "Bản sao Giấy chứng nhận PCCC"],
        reason="Hồ sơ chưa đủ thành phần",
        user=desk,
        applicant_phone="0258 3822 111",
    )
    url = reverse("dossiers:guidance-slip", kwargs={"pk": guidance.pk})
    client.force_login(desk)
    html = page(client, url)
    assert "Mẫu số 02" in html and "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in html
    assert f"Số: {guidance.number}" in html
    assert "Hướng dẫn hồ sơ của: <strong>Lê Thị Cúc</strong>" in html
    assert "<td>Bản sao Giấy chứng nhận PCCC</td>" in html
    assert "NGƯỜI HƯỚNG DẪN" in html
    assert "Mã hồ sơ" not in html and "<svg" not in html
    client.force_login(officer)  # specialists do not see intake guidance
    assert client.get(url).status_code == 404
    other = AgencyFactory(code="000.00.21.H32", name="Phòng khác")
    client.force_login(staff(other, Role.DESK_OFFICER))
    assert client.get(url).status_code == 404


# --- control slip ----------------------------------------------------------------------------
def test_control_slip_has_one_row_per_hand_over_with_bounded_queries(
    client, dossier, desk, officer, django_assert_max_num_queries
):
    second = staff(dossier.agency, Role.SPECIALIST)
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    with time_machine.travel(at(2026, 3, 20, 10), tick=False):  # after the step deadline
        for handler in [second, officer] * 4 + [second]:
            services.dossier_assign(dossier=dossier, handler=handler, user=desk)
    assert dossier.transfers.count() == 10
    client.force_login(desk)
    with django_assert_max_num_queries(9):
        html = page(client, slip_url(dossier, "control"))
    assert html.count('<tr class="transfer">') == 10
    assert "1. Giao: Bộ phận Một cửa" in html
    assert "Kèm theo hồ sơ của: <strong>Nguyễn Văn An</strong>" in html
    assert "Thời gian hẹn trả kết quả: <strong>17 giờ 00 phút, ngày 09 tháng 3 năm 2026" in html
    assert "10 giờ 00 phút, ngày 02 tháng 3 năm 2026" in html
    assert "Quá hạn" in html  # the first step ended after its deadline
    assert "Trước hạn" in html  # hand-overs closed on the day before their deadline
    assert person_name(officer) in html and person_name(second) in html


def test_control_slip_ends_with_the_result_back_at_the_desk_and_returned(
    desk_client, dossier, desk, officer
):
    with time_machine.travel(at(2026, 3, 3, 9), tick=False):
        services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    with time_machine.travel(at(2026, 3, 5, 9), tick=False):
        services.dossier_resolve(dossier=dossier, user=officer)
    with time_machine.travel(at(2026, 3, 6, 9), tick=False):
        services.dossier_return_result(dossier=dossier, user=desk)
    html = page(desk_client, slip_url(dossier, "control"))
    assert html.count('<tr class="transfer">') == 3
    assert "Nhận: Bộ phận Một cửa" in html and "Nhận: Tổ chức, cá nhân" in html
    assert "09 giờ 00 phút, ngày 06 tháng 3 năm 2026" in html
    assert 'class="blank-row"' not in html  # finished: no empty rows to fill by hand


# --- PDF -------------------------------------------------------------------------------------
def test_receipt_pdf_is_one_a4_page_with_vietnamese_text(desk_client, dossier):
    response = desk_client.get(pdf_url(dossier, "receipt"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{dossier.code}-receipt.pdf"'
    assert response.content.startswith(b"%PDF")
    text, reader = pdf_text(response.content)
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    assert dossier.code in text.replace("\n", "")
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Nguyễn Văn An" in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "Print" not in text  # no toolbar in the PDF
    fonts = {
        str(font["/BaseFont"])
        for page_ in reader.pages
        for font in page_["/Resources"]["/Font"].values()
    }
    assert fonts and all("Noto" in f or "DejaVu" in f for f in fonts), fonts


def test_apology_pdf_carries_the_new_date(desk_client, dossier, boss):
    reschedule(dossier, boss, today=at(2026, 3, 4, 9), new_due_at=at(2026, 3, 13, 17))
    response = desk_client.get(pdf_url(dossier, "apology"))
    assert response["Content-Disposition"] == f'inline; filename="{dossier.code}-apology.pdf"'
    text, _reader = pdf_text(response.content)
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in text.replace("\n", " ")
    assert "13 tháng 3 năm 2026" in text


# --- page behaviour and permissions ----------------------------------------------------------
def test_print_button_and_print_on_open(desk_client, dossier):
    html = page(desk_client, slip_url(dossier, "receipt"))
    assert 'onclick="window.print()"' in html
    assert "window.addEventListener" not in html
    assert pdf_url(dossier, "receipt") in html
    assert "@media print" in html and ".no-print { display: none" in html
    html = page(desk_client, slip_url(dossier, "receipt", print=1))
    assert 'window.addEventListener("load", function () { window.print(); });' in html


def test_anonymous_users_are_sent_to_the_login_page(client, dossier):
    for url in (slip_url(dossier, "receipt"), pdf_url(dossier, "receipt")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_staff_of_another_agency_get_404(client, dossier):
    other = AgencyFactory(code="000.00.21.H32", name="Phòng khác")
    client.force_login(staff(other, Role.DESK_OFFICER))
    assert client.get(slip_url(dossier, "receipt")).status_code == 404
    assert client.get(pdf_url(dossier, "receipt")).status_code == 404


def test_a_specialist_sees_only_the_slips_of_dossiers_they_handle(client, dossier, desk, officer):
    client.force_login(officer)
    assert client.get(slip_url(dossier, "receipt")).status_code == 404
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    assert client.get(slip_url(dossier, "receipt")).status_code == 200


def test_another_agency_s_dossier_is_404_even_with_a_valid_slip(client, desk):
    other = AgencyFactory(code="000.00.22.H32", name="Phòng khác nữa")
    other_desk = staff(other, Role.DESK_OFFICER)
    foreign = register_dossier(procedure=published_procedure(other), user=other_desk)
    client.force_login(desk)
    assert client.get(slip_url(foreign, "receipt")).status_code == 404
    client.force_login(other_desk)
    assert client.get(slip_url(foreign, "receipt")).status_code == 200


# --- the satisfaction survey on the receipt slip (issue 7) ----------------------------------
def survey_link_of(dossier) -> str:
    from satisfaction.models import Invitation
    from satisfaction.tokens import survey_url

    return survey_url(Invitation.objects.get(dossier=dossier).token, source="qr")


def test_the_receipt_invites_to_rate_with_a_qr_code_of_the_survey_link(
    desk_client, dossier, settings
):
    html = page(desk_client, slip_url(dossier, "receipt"))

    link = survey_link_of(dossier)
    assert re.fullmatch(r"http://[^/]+/danh-gia/[A-Za-z0-9_-]{32}/\?nguon=qr", link)
    # The QR code encodes exactly that link (same symbol as segno draws for it).
    assert qr_svg(link, title="Đánh giá sự hài lòng", css_class="qr survey-qr") in html
    assert "Đánh giá sự hài lòng" in html
    assert 'class="survey-qr-box' in html
    assert f'hoặc vào <span class="link">{settings.PUBLIC_BASE_URL}/danh-gia/</span>' in html
    # Printing again shows the same code: one invitation per dossier.
    assert qr_svg(link, title="Đánh giá sự hài lòng", css_class="qr survey-qr") in page(
        desk_client, slip_url(dossier, "receipt")
    )


def test_the_survey_qr_code_opens_the_survey_once_the_result_is_ready(
    desk_client, dossier, desk, officer
):
    page(desk_client, slip_url(dossier, "receipt"))
    path = survey_link_of(dossier).split("://", 1)[1].split("/", 1)[1]
    citizen = Client()

    assert citizen.get("/" + path).status_code == 409  # scanned early: "not ready yet"
    with time_machine.travel(at(2026, 3, 2, 10), tick=False):
        services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    with time_machine.travel(at(2026, 3, 6, 10), tick=False):
        services.dossier_resolve(dossier=dossier, user=officer)
        response = citizen.get("/" + path)
    assert response.status_code == 200
    assert 'name="source" value="qr"' in response.content.decode()


def test_the_receipt_pdf_carries_the_survey_invitation(desk_client, dossier):
    response = desk_client.get(pdf_url(dossier, "receipt"))

    text, _reader = pdf_text(response.content)
    assert "Đánh giá sự hài lòng" in " ".join(text.split())
