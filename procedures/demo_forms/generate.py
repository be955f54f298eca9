"""Generate the sample form PDFs attached to the demo catalogue (procedures/demo.py).

The PDFs are committed next to this file, so the demo never needs WeasyPrint at run time.
Regenerate them only when FORMS changes, from the project root:

    .venv/bin/python -m procedures.demo_forms.generate

Each PDF is a small A4 page with the national motto, the form title, a few lines to fill and the
words "MẪU MINH HỌA – không dùng để nộp": these are NOT the official forms. The real forms are the
appendices of the decrees and circulars named in each `source` and must be taken from the
province's publication decision before the portal goes live.

Fonts: DejaVu Serif (Debian package fonts-dejavu-core), which covers Vietnamese. WeasyPrint
embeds only the glyphs used (subsetting is its default), so each file stays around 20 KB. The
lines to fill are solid: WeasyPrint draws a dotted border dot by dot (about 200 KB per form).
Output is deterministic (fixed metadata and PDF identifier) so regenerating does not churn git.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from html import escape
from pathlib import Path

OUTPUT_DIR = Path(__file__).resolve().parent
WATERMARK = "MẪU MINH HỌA – không dùng để nộp"
MAX_BYTES = 50 * 1024

# Addressees used by several forms.
TO_OFFICE = "Phòng Văn hóa và Thông tin thành phố Nha Trang"
TO_CITY = "Ủy ban nhân dân thành phố Nha Trang"


@dataclass(frozen=True)
class SampleForm:
    filename: str
    label: str  # printed top right, e.g. "Mẫu số 01"
    source: str  # where the official form is published
    title: str
    addressee: str  # "Kính gửi" line; empty for minutes
    lines: tuple[str, ...]  # labels of the lines to fill in
    pledge: str = ""
    signer: str = "NGƯỜI ĐỀ NGHỊ"
    signer_note: str = "(Ký, ghi rõ họ tên; đóng dấu nếu là tổ chức)"
    issuer: str = ""  # issuing body printed top left (forms sent by an agency), else blank


_KARAOKE_OWNER = (
    "Tên doanh nghiệp/hộ kinh doanh",
    "Địa chỉ trụ sở",
    "Điện thoại; thư điện tử",
    "Mã số doanh nghiệp/mã số hộ kinh doanh; ngày cấp; nơi cấp",
    "Họ tên người đại diện theo pháp luật; số định danh cá nhân",
)
_GAME_OWNER = (
    "Chủ điểm (cá nhân: họ tên, số định danh cá nhân; tổ chức, doanh nghiệp: tên, mã số)",
    "Địa chỉ liên hệ; điện thoại; thư điện tử",
    "Tên điểm cung cấp dịch vụ trò chơi điện tử công cộng",
    "Địa chỉ điểm cung cấp dịch vụ",
    "Số, ngày cấp Giấy chứng nhận đủ điều kiện đã được cấp (nếu có)",
)
_GAME_SOURCE = "Phụ lục ban hành kèm theo Nghị định số 147/2024/NĐ-CP (số hiệu mẫu cần đối chiếu)"
_DECREE_86 = "Ban hành kèm theo Nghị định số 86/2023/NĐ-CP"
_COMMUNE = "ỦY BAN NHÂN DÂN PHƯỜNG/XÃ ........"

FORMS: tuple[SampleForm, ...] = (
    SampleForm(
        filename="karaoke-01-de-nghi-cap-giay-phep.pdf",
        label="Mẫu số 01",
        source="Ban hành kèm theo Nghị định số 54/2019/NĐ-CP",
        title="ĐƠN ĐỀ NGHỊ CẤP GIẤY PHÉP ĐỦ ĐIỀU KIỆN KINH DOANH DỊCH VỤ KARAOKE",
        addressee=TO_OFFICE,
        lines=(
            *_KARAOKE_OWNER,
            "Địa điểm kinh doanh",
            "Số lượng phòng karaoke; diện tích từng phòng (m²)",
        ),
        pledge=(
            "Cam kết thực hiện đúng các quy định tại Nghị định số 54/2019/NĐ-CP và các quy định "
            "của pháp luật có liên quan."
        ),
    ),
    SampleForm(
        filename="karaoke-03-de-nghi-dieu-chinh-giay-phep.pdf",
        label="Mẫu số 03",
        source="Ban hành kèm theo Nghị định số 54/2019/NĐ-CP",
        title="ĐƠN ĐỀ NGHỊ ĐIỀU CHỈNH GIẤY PHÉP ĐỦ ĐIỀU KIỆN KINH DOANH DỊCH VỤ KARAOKE",
        addressee=TO_OFFICE,
        lines=(
            *_KARAOKE_OWNER,
            "Số, ngày cấp Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke đã được cấp",
            "Nội dung đề nghị điều chỉnh (số lượng phòng / chủ sở hữu)",
        ),
        pledge="Cam kết chịu trách nhiệm về tính chính xác của các thông tin đã kê khai.",
    ),
    SampleForm(
        filename="thu-vien-01a-thong-bao-thanh-lap.pdf",
        label="Mẫu số 01A",
        source="Thông tư số 01/2020/TT-BVHTTDL (sửa đổi bởi văn bản sau, cần đối chiếu)",
        title="THÔNG BÁO THÀNH LẬP THƯ VIỆN",
        addressee=TO_CITY,
        lines=(
            "Tên thư viện",
            "Tổ chức, cá nhân thành lập thư viện",
            "Địa chỉ trụ sở thư viện; điện thoại",
            "Vốn tài nguyên thông tin (số bản sách, báo, tài liệu)",
            "Diện tích, cơ sở vật chất; người làm công tác thư viện",
            "Ngày dự kiến mở cửa phục vụ",
        ),
        signer="NGƯỜI ĐỨNG ĐẦU / NGƯỜI THÀNH LẬP",
    ),
    SampleForm(
        filename="thu-vien-thong-bao-sap-nhap-hop-nhat-chia-tach.pdf",
        label="Mẫu thông báo",
        source="Thông tư số 01/2020/TT-BVHTTDL (số hiệu mẫu cần đối chiếu)",
        title="THÔNG BÁO SÁP NHẬP, HỢP NHẤT, CHIA, TÁCH THƯ VIỆN",
        addressee=TO_CITY,
        lines=(
            "Tên các thư viện liên quan",
            "Hình thức (sáp nhập / hợp nhất / chia / tách)",
            "Tên, địa chỉ thư viện sau khi sắp xếp",
            "Vốn tài nguyên thông tin, cơ sở vật chất, người làm công tác thư viện sau sắp xếp",
            "Ngày dự kiến thực hiện",
        ),
        signer="NGƯỜI ĐỨNG ĐẦU / NGƯỜI THÀNH LẬP",
    ),
    SampleForm(
        filename="thon-tdp-04-to-trinh.pdf",
        label="Mẫu số 04",
        source=_DECREE_86,
        title="TỜ TRÌNH ĐỀ NGHỊ XÉT TẶNG DANH HIỆU “THÔN, TỔ DÂN PHỐ VĂN HÓA”",
        addressee="Chủ tịch Ủy ban nhân dân thành phố Nha Trang",
        issuer=_COMMUNE,
        lines=(
            "Năm xét tặng",
            "Số thôn, tổ dân phố trên địa bàn; số đề nghị xét tặng",
            "Danh sách thôn, tổ dân phố đề nghị (kèm theo)",
            "Kết quả công khai lấy ý kiến nhân dân (10 ngày)",
        ),
        signer="TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH",
        signer_note="(Ký, ghi rõ họ tên, đóng dấu)",
    ),
    SampleForm(
        filename="thon-tdp-05-bao-cao-thanh-tich.pdf",
        label="Mẫu số 05",
        source=_DECREE_86,
        title="BÁO CÁO THÀNH TÍCH ĐỀ NGHỊ XÉT TẶNG DANH HIỆU “THÔN, TỔ DÂN PHỐ VĂN HÓA”",
        addressee="Ủy ban nhân dân phường/xã ........",
        lines=(
            "Tên thôn, tổ dân phố; số hộ; số nhân khẩu",
            "Kết quả thực hiện tiêu chuẩn về đời sống kinh tế",
            "Kết quả thực hiện tiêu chuẩn về đời sống văn hóa, tinh thần",
            "Kết quả thực hiện tiêu chuẩn về môi trường, cảnh quan",
            "Kết quả thực hiện tiêu chuẩn về quốc phòng, an ninh, pháp luật",
        ),
        signer="TRƯỞNG THÔN / TỔ TRƯỞNG TỔ DÂN PHỐ",
        signer_note="(Ký, ghi rõ họ tên)",
    ),
    SampleForm(
        filename="thon-tdp-06-bien-ban-binh-xet.pdf",
        label="Mẫu số 06",
        source=_DECREE_86,
        title="BIÊN BẢN HỌP BÌNH XÉT DANH HIỆU “THÔN, TỔ DÂN PHỐ VĂN HÓA”",
        addressee="",
        issuer=_COMMUNE,
        lines=(
            "Thời gian, địa điểm họp",
            "Thành phần tham dự (số thành viên có mặt/tổng số)",
            "Nội dung bình xét",
            "Kết quả biểu quyết đối với từng thôn, tổ dân phố",
        ),
        signer="CHỦ TỌA                  THƯ KÝ",
        signer_note="(Ký, ghi rõ họ tên)",
    ),
    SampleForm(
        filename="xa-tieu-bieu-to-trinh.pdf",
        label="Mẫu tờ trình",
        source=f"{_DECREE_86} (số hiệu mẫu cần đối chiếu)",
        title="TỜ TRÌNH ĐỀ NGHỊ XÉT TẶNG DANH HIỆU “XÃ, PHƯỜNG, THỊ TRẤN TIÊU BIỂU”",
        addressee="Chủ tịch Ủy ban nhân dân thành phố Nha Trang",
        issuer=_COMMUNE,
        lines=(
            "Năm xét tặng",
            "Tóm tắt kết quả thực hiện các tiêu chuẩn",
            "Kết quả công khai lấy ý kiến nhân dân",
        ),
        signer="TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH",
        signer_note="(Ký, ghi rõ họ tên, đóng dấu)",
    ),
    SampleForm(
        filename="xa-tieu-bieu-bao-cao-thanh-tich.pdf",
        label="Mẫu báo cáo",
        source=f"{_DECREE_86} (số hiệu mẫu cần đối chiếu)",
        title="BÁO CÁO THÀNH TÍCH ĐỀ NGHỊ XÉT TẶNG DANH HIỆU “XÃ, PHƯỜNG, THỊ TRẤN TIÊU BIỂU”",
        addressee="Ủy ban nhân dân thành phố Nha Trang",
        issuer=_COMMUNE,
        lines=(
            "Đặc điểm tình hình địa phương",
            "Kết quả thực hiện tiêu chuẩn về kinh tế - xã hội",
            "Kết quả thực hiện tiêu chuẩn về văn hóa, môi trường",
            "Kết quả thực hiện tiêu chuẩn về quốc phòng, an ninh",
        ),
        signer="TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH",
        signer_note="(Ký, ghi rõ họ tên, đóng dấu)",
    ),
    SampleForm(
        filename="xa-tieu-bieu-bien-ban-binh-xet.pdf",
        label="Mẫu biên bản",
        source=f"{_DECREE_86} (số hiệu mẫu cần đối chiếu)",
        title="BIÊN BẢN HỌP BÌNH XÉT DANH HIỆU “XÃ, PHƯỜNG, THỊ TRẤN TIÊU BIỂU”",
        addressee="",
        issuer=_COMMUNE,
        lines=(
            "Thời gian, địa điểm họp",
            "Thành phần tham dự",
            "Kết quả biểu quyết",
        ),
        signer="CHỦ TỌA                  THƯ KÝ",
        signer_note="(Ký, ghi rõ họ tên)",
    ),
    SampleForm(
        filename="tcdt-51-de-nghi-cap-giay-chung-nhan.pdf",
        label="Mẫu số 51a / 51b",
        source="Phụ lục ban hành kèm theo Nghị định số 147/2024/NĐ-CP",
        title=(
            "ĐƠN ĐỀ NGHỊ CẤP GIẤY CHỨNG NHẬN ĐỦ ĐIỀU KIỆN HOẠT ĐỘNG ĐIỂM CUNG CẤP "
            "DỊCH VỤ TRÒ CHƠI ĐIỆN TỬ CÔNG CỘNG"
        ),
        addressee=TO_CITY,
        lines=(
            *_GAME_OWNER[:4],
            "Tổng diện tích các phòng máy (m²); số lượng máy tính",
            "Biện pháp bảo đảm phòng cháy, chữa cháy",
        ),
        pledge="Chủ điểm là: □ cá nhân (Mẫu số 51a)   □ tổ chức, doanh nghiệp (Mẫu số 51b).",
        signer="CHỦ ĐIỂM / NGƯỜI ĐẠI DIỆN",
    ),
    SampleForm(
        filename="tcdt-de-nghi-sua-doi-bo-sung-giay-chung-nhan.pdf",
        label="Mẫu đơn (cá nhân / tổ chức)",
        source=_GAME_SOURCE,
        title=(
            "ĐƠN ĐỀ NGHỊ SỬA ĐỔI, BỔ SUNG GIẤY CHỨNG NHẬN ĐỦ ĐIỀU KIỆN HOẠT ĐỘNG ĐIỂM "
            "CUNG CẤP DỊCH VỤ TRÒ CHƠI ĐIỆN TỬ CÔNG CỘNG"
        ),
        addressee=TO_CITY,
        lines=(*_GAME_OWNER, "Nội dung đề nghị sửa đổi, bổ sung; lý do"),
        signer="CHỦ ĐIỂM / NGƯỜI ĐẠI DIỆN",
    ),
    SampleForm(
        filename="tcdt-de-nghi-gia-han-giay-chung-nhan.pdf",
        label="Mẫu đơn (cá nhân / tổ chức)",
        source=_GAME_SOURCE,
        title=(
            "ĐƠN ĐỀ NGHỊ GIA HẠN GIẤY CHỨNG NHẬN ĐỦ ĐIỀU KIỆN HOẠT ĐỘNG ĐIỂM "
            "CUNG CẤP DỊCH VỤ TRÒ CHƠI ĐIỆN TỬ CÔNG CỘNG"
        ),
        addressee=TO_CITY,
        lines=(*_GAME_OWNER, "Thời hạn đề nghị gia hạn (tối đa 06 tháng); lý do"),
        signer="CHỦ ĐIỂM / NGƯỜI ĐẠI DIỆN",
    ),
    SampleForm(
        filename="tcdt-55-de-nghi-cap-lai-giay-chung-nhan.pdf",
        label="Mẫu số 55a / 55b",
        source="Phụ lục ban hành kèm theo Nghị định số 147/2024/NĐ-CP",
        title=(
            "ĐƠN ĐỀ NGHỊ CẤP LẠI GIẤY CHỨNG NHẬN ĐỦ ĐIỀU KIỆN HOẠT ĐỘNG ĐIỂM "
            "CUNG CẤP DỊCH VỤ TRÒ CHƠI ĐIỆN TỬ CÔNG CỘNG"
        ),
        addressee=TO_CITY,
        lines=(*_GAME_OWNER, "Lý do đề nghị cấp lại (bị mất / bị hư hỏng)"),
        pledge="Chủ điểm là: □ cá nhân (Mẫu số 55a)   □ tổ chức, doanh nghiệp (Mẫu số 55b).",
        signer="CHỦ ĐIỂM / NGƯỜI ĐẠI DIỆN",
    ),
)
FORMS_BY_FILENAME = {form.filename: form for form in FORMS}

CSS = """
@page {
  size: A4;
  margin: 18mm 18mm 20mm 25mm;
  @bottom-center { content: "%(watermark)s"; color: #b00020; font-size: 8.5pt;
                   font-family: "DejaVu Serif"; }
}
body { font-family: "DejaVu Serif"; font-size: 11pt; line-height: 1.45; }
.banner { border: 1.5pt solid #b00020; color: #b00020; font-weight: bold; text-align: center;
          padding: 3pt; margin-bottom: 8pt; font-size: 10pt; }
.watermark { position: fixed; top: 105mm; left: -10mm; width: 190mm; text-align: center;
             transform: rotate(-35deg); font-size: 40pt; font-weight: bold;
             color: rgba(176, 0, 32, 0.10); }
.head { display: flex; justify-content: space-between; font-size: 9.5pt; }
.head .label { font-style: italic; text-align: right; }
.issuer { font-weight: bold; font-size: 10pt; }
.motto { text-align: center; font-weight: bold; margin-top: 6pt; }
.motto .sub { text-decoration: underline; }
.date { text-align: right; font-style: italic; margin: 6pt 0 10pt; }
h1 { text-align: center; font-size: 12pt; margin: 6pt 0 10pt; }
.to { text-align: center; margin-bottom: 10pt; }
.fill { border-bottom: 0.5pt solid #999; margin: 0 0 9pt; min-height: 14pt; }
.pledge { margin-top: 10pt; }
.sign { margin-left: 55%%; text-align: center; margin-top: 14pt; }
.sign b { display: block; white-space: pre; }
.sign i { font-size: 9.5pt; }
"""


def render_html(form: SampleForm) -> str:
    """The HTML of one sample form (all text escaped)."""
    fills = "".join(f'<p class="fill">{escape(label)}:</p>' for label in form.lines)
    fills += '<p class="fill"></p><p class="fill"></p>'
    pledge = f'<p class="pledge">{escape(form.pledge)}</p>' if form.pledge else ""
    issuer = escape(form.issuer) if form.issuer else "&nbsp;"
    title = escape(form.title)
    to = f'<p class="to">Kính gửi: {escape(form.addressee)}</p>' if form.addressee else ""
    return f"""<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>{title}</title>
<meta name="author" content="Cổng Một cửa - dữ liệu minh họa">
<meta name="dcterms.created" content="2026-01-05T00:00:00+07:00">
<meta name="dcterms.modified" content="2026-01-05T00:00:00+07:00">
<style>{CSS % {"watermark": WATERMARK}}</style></head>
<body>
<div class="watermark">MẪU MINH HỌA</div>
<div class="banner">{escape(WATERMARK)}</div>
<div class="head"><div class="issuer">{issuer}</div>
<div class="label">{escape(form.label)}<br>{escape(form.source)}</div></div>
<div class="motto">CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br>
<span class="sub">Độc lập - Tự do - Hạnh phúc</span></div>
<p class="date">........, ngày ..... tháng ..... năm ........</p>
<h1>{title}</h1>
{to}
{fills}
{pledge}
<div class="sign"><b>{escape(form.signer)}</b><i>{escape(form.signer_note)}</i></div>
</body></html>"""


def main() -> None:
    from weasyprint import HTML  # only needed here, never at run time

    for form in FORMS:
        target = OUTPUT_DIR / form.filename
        identifier = hashlib.md5(form.filename.encode(), usedforsecurity=False).hexdigest()
        HTML(string=render_html(form)).write_pdf(target, pdf_identifier=identifier.encode())
        size = target.stat().st_size
        if size > MAX_BYTES:
            raise SystemExit(f"{target.name} is {size} bytes (limit {MAX_BYTES})")
        print(f"{size:>7}  {target.name}")  # noqa: T201


if __name__ == "__main__":
    main()
