"""QR codes, offline PDF rendering and the parts of an official document header."""

import io
import re
from datetime import UTC, date, datetime

import pytest
import segno
from django.template.loader import render_to_string
from pypdf import PdfReader

from core.pdf import (
    DocumentHeader,
    html_to_pdf,
    official_date,
    official_datetime,
    offline_url_fetcher,
    render_pdf,
)
from core.qr import qr_svg

URL = "https://cong.example.gov.vn/tra-cuu/000.00.20.H32-260302-0001/?t=AbCdEf123"


def pdf_text(content: bytes) -> tuple[str, PdfReader]:
    """The PDF's text with line breaks folded into spaces, and the reader."""
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.split()), reader


# --- QR --------------------------------------------------------------------------------------
def test_qr_svg_is_inline_markup_sized_by_css():
    svg = qr_svg(URL, title="Mã hồ sơ <1>")
    assert svg.startswith("<svg") and "<?xml" not in svg
    assert 'class="qr"' in svg
    assert "width=" not in svg.split(">", 1)[0]  # the page sets the printed size
    assert "<title>Mã hồ sơ &lt;1&gt;</title>" in svg


def test_qr_svg_draws_the_symbol_of_the_data_with_a_quiet_zone():
    symbol = segno.make(URL, error="m", micro=False)
    size = symbol.symbol_size(border=4)[0]
    svg = qr_svg(URL)
    assert f'viewBox="0 0 {size} {size}"' in svg
    assert qr_svg(URL) == svg  # deterministic: a reprint shows the same code
    assert qr_svg(URL + "x") != svg


def test_qr_svg_needs_data():
    with pytest.raises(ValueError, match="data"):
        qr_svg("")


# --- dates -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("day", "text"),
    [
        (date(2026, 2, 5), "ngày 05 tháng 02 năm 2026"),
        (date(2026, 1, 15), "ngày 15 tháng 01 năm 2026"),
        (date(2026, 3, 9), "ngày 09 tháng 3 năm 2026"),
        (date(2026, 11, 27), "ngày 27 tháng 11 năm 2026"),
    ],
)
def test_official_date_uses_the_decree_30_leading_zeros(day, text):
    assert official_date(day) == text


def test_official_datetime_is_shown_in_vietnam_time():
    moment = datetime(2026, 3, 1, 17, 5, tzinfo=UTC)  # 00:05 on 2 March in Nha Trang
    assert official_datetime(moment) == "00 giờ 05 phút, ngày 02 tháng 3 năm 2026"


def test_document_header_date_line_and_form_number():
    header = DocumentHeader(
        issuer_parent="UBND thành phố Nha Trang",
        issuer="Phòng Văn hóa và Thông tin",
        place="Nha Trang",
        issued_on=date(2026, 11, 27),
        form_number="—",
    )
    assert header.date_line == "Nha Trang, ngày 27 tháng 11 năm 2026"
    assert not header.has_form_number
    html = render_to_string("includes/document_header.html", {"header": header})
    assert "Mẫu số" not in html
    assert "Số: ……/……" in html  # numbered by hand by the records clerk


# --- PDF -------------------------------------------------------------------------------------
def test_header_renders_to_pdf_with_vietnamese_letters_and_embedded_fonts():
    header = DocumentHeader(
        issuer_parent="UBND thành phố Nha Trang",
        issuer="Phòng Văn hóa và Thông tin",
        place="Nha Trang",
        issued_on=date(2026, 2, 5),
        number="12/HDHS",
        form_number="02",
    )
    html = (
        '<html lang="vi"><head><style>body { font-family: "Noto Serif", "DejaVu Serif", serif }'
        "</style></head><body>"
        + render_to_string("includes/document_header.html", {"header": header})
        + "<p>Ưu tiên ơn huệ: Ữ Ự Ở Ợ ỹ đ Đ</p></body></html>"
    )
    content = html_to_pdf(html)
    assert content.startswith(b"%PDF")
    text, reader = pdf_text(content)
    for expected in (
        "UBND THÀNH PHỐ NHA TRANG",
        "PHÒNG VĂN HÓA VÀ THÔNG TIN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 12/HDHS",
        "Nha Trang, ngày 05 tháng 02 năm 2026",
        "Mẫu số 02",
        "Ưu tiên ơn huệ: Ữ Ự Ở Ợ ỹ đ Đ",
    ):
        assert expected in text
    fonts = {str(f["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert fonts and all(re.search("Noto|DejaVu", f) for f in fonts), fonts


def test_documents_use_the_vendored_noto_serif_whatever_the_system_fonts():
    """The same PDF on every machine: regular, bold and italic come from static/fonts."""
    html = (
        '<html lang="vi"><head><style>body { font-family: "Noto Serif", serif }</style></head>'
        "<body><p>Phiếu tiếp nhận</p><p><b>Đậm</b> <i>Nghiêng</i></p></body></html>"
    )
    _, reader = pdf_text(html_to_pdf(html))
    fonts = {str(f["/BaseFont"]) for f in reader.pages[0]["/Resources"]["/Font"].values()}
    assert len(fonts) == 3, fonts
    assert all("Noto-Serif" in font for font in fonts), fonts


def test_render_pdf_marks_the_context_as_pdf(tmp_path, settings):
    (tmp_path / "doc.html").write_text(
        "<p>{% if is_pdf %}Bản in PDF{% else %}Trang web{% endif %}</p>", encoding="utf-8"
    )
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "DIRS": [tmp_path],
        }
    ]
    text, _reader = pdf_text(render_pdf("doc.html"))
    assert "Bản in PDF" in text


def test_the_fetcher_serves_static_files_and_refuses_the_network():
    fetcher = offline_url_fetcher()
    response = fetcher.fetch("https://portal.example/static/css/portal.css")
    assert response.content_type == "text/css"
    assert len(response.read()) > 0
    with pytest.raises(ValueError, match="offline"):
        fetcher.fetch("https://198.51.100.7/logo.png")
    with pytest.raises(ValueError, match="offline"):
        fetcher.fetch("https://portal.example/static/../../nhatrang_portal/settings/base.py")
    with pytest.raises(ValueError, match="offline"):
        fetcher.fetch("file:///etc/passwd")


def test_a_remote_image_does_not_stop_the_pdf():
    content = html_to_pdf('<p>Tài liệu</p><img src="https://198.51.100.7/logo.png" alt="">')
    text, _reader = pdf_text(content)
    assert "Tài liệu" in text
