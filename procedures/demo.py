"""Demo catalogue: the culture-and-information procedures of a district culture office.

    !!! WARNING: COMPETENCE CHANGED ON 1 JULY 2025 (DOMAIN.md §0.2) !!!
    The district tier was abolished on 01/7/2025; "Phòng Văn hóa và Thông tin thành phố Nha Trang"
    no longer exists as a district body and these procedures moved to the province or the wards.
    This catalogue describes the PRE-July-2025 district competence (DOMAIN.md §10) with the fees
    in force today (Circular 110/2025/TT-BTC, from 05/01/2026). It is demo data: before any real
    use, re-check every procedure against Khánh Hòa's current publication decisions.

Called by `manage.py seed_demo` (core) with the demo agency; returns how many procedures it
created. Idempotent: a procedure whose national code already exists (any version, any status) is
left alone, so a second run creates nothing and never makes a second version. Sample form PDFs
come from procedures/demo_forms/ (generated once by demo_forms/generate.py) and are copied into
the default storage; a copy already in storage from an earlier run is reused, not duplicated.

What is verified and what is not (DOMAIN.md §10 and its "Seed-data hint"):
- Rows 1-12 of §10 are seeded; row 13 ("Gia đình văn hóa") is decided at commune level and row 14
  (advertising notices) by the provincial department, so neither is a district procedure.
- `is_illustrative` is True when anything that shapes a dossier is not verified: a time or a
  dossier component marked [U]/[P] in §10, or a national code we could not confirm. The reasons
  are listed per procedure in `unverified` below. National codes MUST be checked against the
  National Database of Administrative Procedures (csdl.dichvucong.gov.vn) before real use.
- Local codes use Khánh Hòa's agency prefix H32, which is inferred, not confirmed (§4.1).
- Publication decision numbers and dates are invented for every procedure (no Khánh Hòa decision
  was read); their text says so ("số hiệu minh họa"). `effective_until` is left empty even though
  the district competence ended on 30/6/2025, so the demo catalogue stays visible.
- Internal workflow budgets add up to the processing time, in the same unit (§6, §3).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from core.calendar import TimeUnit

from .constants import OnlineLevel, ProcedureLevel, ProcedureStatus, SubmissionChannel
from .models import (
    DossierComponent,
    Field,
    Procedure,
    ProcedureStep,
    SubmissionMethod,
    WorkflowStep,
)

FORMS_DIR = Path(__file__).resolve().parent / "demo_forms"
# Local code = national code + publishing agency (province) identifier. H32 = Khánh Hòa is an
# inference from the alphabetical order of provinces, NOT confirmed (DOMAIN.md §4.1, §14 item 4).
LOCAL_CODE_SUFFIX = ".000.00.00.H32"
ONLINE_URL = "https://dichvucong.gov.vn/"
WD = TimeUnit.WORKING_DAYS
DAYS = TimeUnit.CALENDAR_DAYS

FIELDS = {
    "van-hoa-co-so": "Văn hóa cơ sở",
    "thu-vien": "Thư viện",
    "phat-thanh-truyen-hinh-thong-tin-dien-tu": "Phát thanh, truyền hình và thông tin điện tử",
}

# Units of the internal workflow (§3.1).
DESK = "Bộ phận Tiếp nhận và Trả kết quả"
OFFICE = "Phòng Văn hóa và Thông tin"
OFFICE_HEAD = "Lãnh đạo Phòng Văn hóa và Thông tin"
CITY_LEADER = "Lãnh đạo UBND thành phố"
CITY = "Ủy ban nhân dân thành phố Nha Trang"
CITY_CHAIR = "Chủ tịch Ủy ban nhân dân thành phố Nha Trang"

# Every publication decision below is invented (no Khánh Hòa decision was read).
ILLUSTRATIVE_DECISION = "(số hiệu minh họa – cần đối chiếu)"


def _decision(number: str, on: date) -> tuple[str, date]:
    text = (
        f"Quyết định số {number}/QĐ-UBND ngày {on:%d/%m/%Y} của Chủ tịch UBND tỉnh Khánh Hòa "
        f"{ILLUSTRATIVE_DECISION}"
    )
    return text, on


# --- Fees: Circular 110/2025/TT-BTC Art. 4, in force from 05/01/2026 (DOMAIN.md §10 [V]) --------
KARAOKE_FEE = (
    "Phí thẩm định cấp Giấy phép: 1.000.000 đồng/phòng, tổng mức thu không quá "
    "6.000.000 đồng/Giấy phép/lần thẩm định."
)
KARAOKE_AMENDMENT_FEE = (
    "Phí thẩm định điều chỉnh Giấy phép:\n"
    "- Thay đổi chủ sở hữu: 500.000 đồng/Giấy phép/lần thẩm định;\n"
    "- Tăng thêm phòng: 1.000.000 đồng/phòng, tổng mức thu không quá "
    "6.000.000 đồng/Giấy phép/lần thẩm định."
)
KARAOKE_FEE_BASIS = (
    "Thông tư số 110/2025/TT-BTC của Bộ trưởng Bộ Tài chính quy định mức thu, chế độ thu, nộp "
    "phí thẩm định cấp giấy phép kinh doanh karaoke, vũ trường (có hiệu lực từ ngày 05/01/2026; "
    "trước ngày này áp dụng Thông tư số 01/2021/TT-BTC)."
)
NON_CASH = " Phí nộp bằng hình thức không dùng tiền mặt vào tài khoản của tổ chức thu phí."

# --- Legal bases ------------------------------------------------------------------------------
KARAOKE_LAW = (
    "- Nghị định số 54/2019/NĐ-CP ngày 19/6/2019 của Chính phủ quy định về kinh doanh dịch vụ "
    "karaoke, dịch vụ vũ trường.\n"
    "- Thông tư số 110/2025/TT-BTC của Bộ trưởng Bộ Tài chính quy định mức thu, chế độ thu, nộp "
    "phí thẩm định cấp giấy phép kinh doanh karaoke, vũ trường."
)
FESTIVAL_LAW = (
    "- Nghị định số 110/2018/NĐ-CP ngày 29/8/2018 của Chính phủ quy định về quản lý và tổ chức "
    "lễ hội."
)
LIBRARY_LAW = (
    "- Luật Thư viện số 46/2019/QH14 ngày 21/11/2019.\n"
    "- Nghị định số 93/2020/NĐ-CP ngày 18/8/2020 của Chính phủ quy định chi tiết một số điều của "
    "Luật Thư viện.\n"
    "- Thông tư số 01/2020/TT-BVHTTDL ngày 22/5/2020 của Bộ trưởng Bộ Văn hóa, Thể thao và Du lịch "
    "quy định mẫu văn bản thông báo thành lập, sáp nhập, hợp nhất, chia, tách, giải thể, chấm dứt "
    "hoạt động thư viện."
)
# DOMAIN.md §10 row 5 cites "Mẫu 01, Appendix VIII, Circular 13/2023/TT-BVHTTDL" [S/P]; provincial
# pages cite Circular 01/2020 (Mẫu 01A). Which one is current must be checked.
AWARD_LAW = (
    "- Luật Thi đua, khen thưởng số 06/2022/QH15 ngày 15/6/2022.\n"
    "- Nghị định số 86/2023/NĐ-CP ngày 07/12/2023 của Chính phủ quy định về khung tiêu chuẩn và "
    "trình tự, thủ tục, hồ sơ xét tặng danh hiệu “Gia đình văn hóa”, “Thôn, tổ dân phố văn hóa”, "
    "“Xã, phường, thị trấn tiêu biểu”."
)
# Decree 147/2024 replaced Decrees 72/2013 and 27/2018 on 25/12/2024; DOMAIN.md §10 rows 9-12
# still quote the 27/2018 form numbers (Mẫu 07/08, 12/13). Forms 51a/51b and 55a/55b are seen
# on provincial pages [S]; the numbers of the amendment and extension forms are not known.
GAME_LAW = (
    "- Nghị định số 147/2024/NĐ-CP ngày 09/11/2024 của Chính phủ về quản lý, cung cấp, sử dụng "
    "dịch vụ Internet và thông tin trên mạng (có hiệu lực từ ngày 25/12/2024, thay thế Nghị định "
    "số 72/2013/NĐ-CP và Nghị định số 27/2018/NĐ-CP)."
)
GAME_CONDITIONS = (
    "- Có đăng ký kinh doanh dịch vụ trò chơi điện tử công cộng;\n"
    "- Có biển hiệu “Điểm cung cấp dịch vụ trò chơi điện tử công cộng” ghi rõ tên điểm, địa chỉ, "
    "số điện thoại liên hệ, số đăng ký kinh doanh;\n"
    "- Có thiết bị và nội quy phòng cháy, chữa cháy theo quy định của Bộ Công an."
)

# --- Submission method notes (channel codes: DOMAIN.md §3.7) ---------------------------------
IN_PERSON_NOTE = (
    "Nộp trực tiếp tại Bộ phận Tiếp nhận và Trả kết quả thành phố Nha Trang, trong giờ hành chính "
    "từ Thứ Hai đến Thứ Sáu (trừ ngày lễ, Tết)."
)
ONLINE_NOTES = {
    OnlineLevel.FULL: (
        "Dịch vụ công trực tuyến toàn trình: nộp hồ sơ, nộp phí (nếu có) và nhận kết quả trực "
        "tuyến trên Cổng Dịch vụ công quốc gia hoặc Cổng Dịch vụ công tỉnh Khánh Hòa."
    ),
    OnlineLevel.PARTIAL: (
        "Dịch vụ công trực tuyến một phần: nộp hồ sơ trực tuyến trên Cổng Dịch vụ công; xuất "
        "trình bản chính (nếu được yêu cầu) và nhận kết quả tại Bộ phận Tiếp nhận và Trả kết quả "
        "hoặc qua dịch vụ bưu chính công ích."
    ),
}
POSTAL_NOTE = (
    "Gửi hồ sơ và nhận kết quả qua dịch vụ bưu chính công ích; cước dịch vụ bưu chính do người "
    "sử dụng dịch vụ chi trả."
)

RECEIVE_STEP = (
    "Kiểm tra, tiếp nhận hồ sơ",
    "Bộ phận Tiếp nhận và Trả kết quả kiểm tra tính đầy đủ, hợp lệ của hồ sơ. Hồ sơ đầy đủ: cấp "
    "Giấy tiếp nhận hồ sơ và hẹn trả kết quả. Hồ sơ chưa đầy đủ: hướng dẫn bổ sung, hoàn thiện "
    "một lần bằng Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.",
)
RETURN_STEP = (
    "Trả kết quả",
    "Tổ chức, cá nhân nhận kết quả tại Bộ phận Tiếp nhận và Trả kết quả, qua dịch vụ bưu chính "
    "công ích hoặc trên Cổng Dịch vụ công (đối với hồ sơ nộp trực tuyến).",
)


def _submit_step(who: str) -> tuple[str, str]:
    return (
        "Nộp hồ sơ",
        f"{who} nộp 01 bộ hồ sơ trực tiếp, qua dịch vụ bưu chính công ích hoặc trực tuyến đến "
        "Bộ phận Tiếp nhận và Trả kết quả thành phố Nha Trang.",
    )


@dataclass(frozen=True)
class Component:
    name: str
    originals: int = 1
    copies: int = 0
    required: bool = True
    note: str = ""
    form_name: str = ""
    form: str = ""  # file name in demo_forms/


@dataclass(frozen=True)
class Spec:
    """One procedure of DOMAIN.md §10, with its children."""

    row: int  # row of the DOMAIN.md §10 table
    code: str
    name: str
    field: str
    time: Decimal
    unit: str
    time_note: str
    subjects: str
    competent: str
    result: str
    legal_basis: str
    publication: tuple[str, date]
    online_level: str
    steps: tuple[tuple[str, str], ...]
    components: tuple[Component, ...]
    workflow: tuple[tuple[str, str, Decimal], ...]  # unit, task, budget (same unit as `time`)
    requirements: str = ""
    fee: str = ""
    method_fee: str = ""  # short form of `fee` for the methods table
    fee_legal_basis: str = ""
    fee_note: str = ""
    coordinating: str = ""
    unverified: tuple[str, ...] = ()  # why the procedure is illustrative; empty = verified

    @property
    def is_illustrative(self) -> bool:
        return bool(self.unverified)


D = Decimal
KARAOKE_DECISION = _decision("38", date(2026, 1, 5))
FESTIVAL_DECISION = _decision("3286", date(2018, 11, 6))
LIBRARY_DECISION = _decision("3405", date(2020, 12, 16))
AWARD_DECISION = _decision("812", date(2024, 3, 28))
GAME_DECISION = _decision("402", date(2025, 2, 18))
UNKNOWN_CODE = "mã TTHC chọn minh họa, chưa đối chiếu CSDL quốc gia"

PROCEDURES: tuple[Spec, ...] = (
    Spec(
        row=1,
        code="1.001029",
        name=(
            "Cấp Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke (do cơ quan quản lý nhà nước "
            "về văn hóa cấp huyện cấp)"
        ),
        field="van-hoa-co-so",
        time=D(5),
        unit=WD,
        time_note=(
            "kể từ ngày nhận đủ hồ sơ hợp lệ. Hồ sơ chưa đầy đủ: thông báo yêu cầu hoàn thiện "
            "trong 01 ngày làm việc."
        ),
        subjects="Doanh nghiệp, hộ kinh doanh.",
        competent=(
            "Phòng Văn hóa và Thông tin thành phố Nha Trang (khi được UBND tỉnh Khánh Hòa phân cấp)"
        ),
        result=(
            "Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke. Trường hợp không cấp, có văn bản "
            "trả lời nêu rõ lý do."
        ),
        requirements=(
            "- Là doanh nghiệp hoặc hộ kinh doanh được thành lập theo quy định của pháp luật;\n"
            "- Bảo đảm các điều kiện về phòng, chống cháy nổ và an ninh, trật tự theo quy định;\n"
            "- Phòng hát có diện tích sử dụng từ 20 m² trở lên, không kể công trình phụ;\n"
            "- Không đặt chốt cửa hoặc thiết bị báo động (trừ thiết bị báo cháy nổ) bên trong "
            "phòng hát."
        ),
        fee=KARAOKE_FEE,
        method_fee="1.000.000 đồng/phòng, tối đa 6.000.000 đồng/Giấy phép/lần thẩm định",
        fee_legal_basis=KARAOKE_FEE_BASIS,
        fee_note=NON_CASH,
        legal_basis=KARAOKE_LAW
        + "\n- Quyết định phân cấp cấp Giấy phép karaoke của UBND tỉnh Khánh Hòa "
        + ILLUSTRATIVE_DECISION
        + ".",
        publication=KARAOKE_DECISION,
        online_level=OnlineLevel.PARTIAL,
        steps=(
            _submit_step("Doanh nghiệp, hộ kinh doanh"),
            RECEIVE_STEP,
            (
                "Thẩm định hồ sơ và thẩm định thực tế",
                "Phòng Văn hóa và Thông tin thẩm định hồ sơ, thẩm định thực tế các điều kiện kinh "
                "doanh và cấp Giấy phép; trường hợp không cấp phải trả lời bằng văn bản, nêu rõ lý "
                "do.",
            ),
            RETURN_STEP,
        ),
        components=(
            Component(
                "Đơn đề nghị cấp Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke",
                form_name="Mẫu số 01",
                form="karaoke-01-de-nghi-cap-giay-phep.pdf",
                note="Ban hành kèm theo Nghị định số 54/2019/NĐ-CP.",
            ),
            Component(
                "Bản sao có chứng thực hoặc bản sao kèm bản chính để đối chiếu Giấy chứng nhận đủ "
                "điều kiện về an ninh, trật tự",
                originals=0,
                copies=1,
                note="Thành phần này chưa được đối chiếu với quyết định công bố.",
            ),
            Component(
                "Văn bản nghiệm thu hoặc chấp thuận về phòng cháy và chữa cháy",
                originals=0,
                copies=1,
                required=False,
                note=(
                    "Chỉ khi pháp luật về phòng cháy, chữa cháy yêu cầu. Thành phần này chưa được "
                    "đối chiếu với quyết định công bố."
                ),
            ),
        ),
        workflow=(
            (DESK, "Tiếp nhận, số hóa và chuyển hồ sơ", D("0.5")),
            (OFFICE, "Thẩm định hồ sơ, thẩm định thực tế, dự thảo Giấy phép", D("3.5")),
            (OFFICE_HEAD, "Xem xét, ký Giấy phép", D("0.5")),
            (DESK, "Trả kết quả", D("0.5")),
        ),
        unverified=("thời hạn 05 ngày làm việc [U]", "thành phần hồ sơ [U]", UNKNOWN_CODE),
    ),
    Spec(
        row=2,
        code="1.000963",  # [V] DOMAIN.md §4.3 (1.000963.000.00.00.H16)
        name=(
            "Cấp Giấy phép điều chỉnh Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke (do cơ "
            "quan quản lý nhà nước về văn hóa cấp huyện cấp)"
        ),
        field="van-hoa-co-so",
        time=D(4),
        unit=WD,
        time_note=(
            "kể từ ngày nhận đủ hồ sơ hợp lệ. Hồ sơ chưa đầy đủ: thông báo yêu cầu hoàn thiện "
            "trong 01 ngày làm việc."
        ),
        subjects="Doanh nghiệp, hộ kinh doanh đã được cấp Giấy phép.",
        competent="Phòng Văn hóa và Thông tin thành phố Nha Trang",
        result=(
            "Giấy phép điều chỉnh Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke. Trường hợp "
            "không cấp, có văn bản trả lời nêu rõ lý do."
        ),
        requirements=(
            "- Áp dụng khi thay đổi số lượng phòng hoặc thay đổi chủ sở hữu.\n"
            "- Thay đổi địa điểm kinh doanh phải làm thủ tục cấp mới Giấy phép.\n"
            "- Phòng tăng thêm phải có diện tích sử dụng từ 20 m² trở lên (không kể công trình "
            "phụ) và không đặt chốt cửa, thiết bị báo động bên trong phòng hát."
        ),
        fee=KARAOKE_AMENDMENT_FEE,
        method_fee=(
            "Thay đổi chủ sở hữu: 500.000 đồng; tăng thêm phòng: 1.000.000 đồng/phòng "
            "(tối đa 6.000.000 đồng)"
        ),
        fee_legal_basis=KARAOKE_FEE_BASIS,
        fee_note=NON_CASH,
        legal_basis=KARAOKE_LAW,
        publication=KARAOKE_DECISION,
        online_level=OnlineLevel.FULL,
        steps=(
            _submit_step("Doanh nghiệp, hộ kinh doanh"),
            RECEIVE_STEP,
            (
                "Thẩm định và cấp Giấy phép điều chỉnh",
                "Phòng Văn hóa và Thông tin thẩm định hồ sơ, thẩm định thực tế các nội dung thay "
                "đổi và cấp Giấy phép điều chỉnh; trường hợp không cấp phải trả lời bằng văn bản, "
                "nêu rõ lý do.",
            ),
            RETURN_STEP,
        ),
        components=(
            Component(
                "Đơn đề nghị điều chỉnh Giấy phép đủ điều kiện kinh doanh dịch vụ karaoke",
                form_name="Mẫu số 03",
                form="karaoke-03-de-nghi-dieu-chinh-giay-phep.pdf",
                note="Ban hành kèm theo Nghị định số 54/2019/NĐ-CP.",
            ),
            Component(
                "Giấy tờ chứng minh nội dung thay đổi (về số lượng phòng hoặc chủ sở hữu)",
                originals=0,
                copies=1,
            ),
        ),
        # Split published by a district page for this procedure: desk 0.5 + office 3.5 (§3).
        workflow=(
            (DESK, "Tiếp nhận, chuyển hồ sơ; trả kết quả", D("0.5")),
            (OFFICE, "Thẩm định, thẩm định thực tế, trình ký Giấy phép điều chỉnh", D("3.5")),
        ),
    ),
    Spec(
        row=3,
        code="1.003645",
        name="Đăng ký tổ chức lễ hội cấp huyện",
        field="van-hoa-co-so",
        time=D(10),
        unit=DAYS,
        time_note=(
            "(tính cả ngày nghỉ) kể từ ngày nhận đủ hồ sơ hợp lệ. Hồ sơ phải nộp trước "
            "ngày dự kiến tổ chức lễ hội ít nhất 30 ngày."
        ),
        subjects="Cơ quan, tổ chức, cá nhân là đơn vị tổ chức lễ hội.",
        competent=CITY,
        coordinating="Công an thành phố Nha Trang; UBND phường, xã nơi tổ chức lễ hội.",
        result=(
            "Văn bản chấp thuận tổ chức lễ hội của UBND thành phố. Trường hợp không chấp thuận, có "
            "văn bản trả lời nêu rõ lý do."
        ),
        requirements=(
            "Áp dụng đối với:\n"
            "- Lễ hội truyền thống, lễ hội văn hóa, lễ hội ngành nghề cấp huyện tổ chức lần đầu "
            "hoặc khôi phục sau thời gian gián đoạn từ 02 năm trở lên;\n"
            "- Lễ hội truyền thống cấp huyện, cấp xã tổ chức hằng năm nhưng có thay đổi về cách "
            "thức tổ chức, nội dung, địa điểm so với truyền thống.\n"
            "Chỉ được tổ chức lễ hội sau khi có văn bản chấp thuận."
        ),
        legal_basis=FESTIVAL_LAW,
        publication=FESTIVAL_DECISION,
        online_level=OnlineLevel.PARTIAL,
        steps=(
            _submit_step("Đơn vị tổ chức lễ hội"),
            RECEIVE_STEP,
            (
                "Thẩm định",
                "Phòng Văn hóa và Thông tin thẩm định sự đầy đủ, hợp pháp của hồ sơ, các "
                "chương trình, hoạt động của lễ hội và phương án bảo đảm an ninh trật tự, phòng "
                "chống cháy nổ, bảo vệ môi trường; lấy ý kiến cơ quan liên quan khi cần; trình "
                "UBND thành phố.",
            ),
            (
                "Quyết định",
                "UBND thành phố ban hành văn bản chấp thuận, hoặc văn bản trả lời nêu rõ lý do "
                "không chấp thuận.",
            ),
            RETURN_STEP,
        ),
        components=(
            Component(
                "Văn bản đăng ký nêu rõ tên lễ hội, sự cần thiết, thời gian, địa điểm, quy mô, nội "
                "dung hoạt động lễ hội, dự kiến thành phần, số lượng khách mời"
            ),
            Component(
                "Phương án bảo đảm an ninh trật tự, an toàn xã hội, phòng chống cháy nổ, bảo vệ "
                "môi trường"
            ),
            Component("Dự kiến thành phần Ban tổ chức lễ hội"),
            Component(
                "Tài liệu hoặc văn bản chứng minh nguồn gốc lễ hội",
                required=False,
                note="Đối với lễ hội truyền thống.",
            ),
        ),
        workflow=(
            (DESK, "Tiếp nhận, số hóa và chuyển hồ sơ", D("0.5")),
            (OFFICE, "Thẩm định hồ sơ, lấy ý kiến cơ quan liên quan, trình ký", D("6.5")),
            (CITY_LEADER, "Xem xét, ký văn bản chấp thuận hoặc trả lời", D("2.5")),
            (DESK, "Trả kết quả", D("0.5")),
        ),
        unverified=(UNKNOWN_CODE,),
    ),
    Spec(
        row=4,
        code="1.003622",
        name="Thông báo tổ chức lễ hội cấp huyện",
        field="van-hoa-co-so",
        time=D(15),
        unit=DAYS,
        time_note=(
            "kể từ ngày nhận thông báo: nếu UBND thành phố không có ý kiến trả lời thì được tổ "
            "chức lễ hội theo nội dung đã thông báo. Thông báo phải gửi trước ngày dự kiến tổ "
            "chức ít nhất 20 ngày."
        ),
        subjects="Cơ quan, tổ chức, cá nhân là đơn vị tổ chức lễ hội.",
        competent=CITY,
        result=(
            "Không có văn bản trả lời trong thời hạn: được tổ chức lễ hội theo nội dung đã thông "
            "báo. Trường hợp không đồng ý: văn bản trả lời của UBND thành phố nêu rõ lý do."
        ),
        requirements=(
            "Áp dụng đối với lễ hội truyền thống, lễ hội văn hóa, lễ hội ngành nghề cấp huyện "
            "được tổ chức hằng năm, không thay đổi so với truyền thống."
        ),
        legal_basis=FESTIVAL_LAW,
        publication=FESTIVAL_DECISION,
        online_level=OnlineLevel.FULL,
        steps=(
            _submit_step("Đơn vị tổ chức lễ hội"),
            RECEIVE_STEP,
            (
                "Xem xét thông báo",
                "Phòng Văn hóa và Thông tin xem xét nội dung thông báo; trường hợp không đồng ý, "
                "tham mưu UBND thành phố trả lời bằng văn bản, nêu rõ lý do.",
            ),
            RETURN_STEP,
        ),
        components=(
            Component(
                "Văn bản thông báo nêu rõ tên lễ hội, sự cần thiết, thời gian, địa điểm, quy mô, "
                "nội dung hoạt động, thành phần khách mời, dự kiến Ban tổ chức lễ hội"
            ),
            Component(
                "Phương án bảo đảm an ninh trật tự, an toàn xã hội, phòng chống cháy nổ, bảo vệ "
                "môi trường"
            ),
        ),
        workflow=(
            (DESK, "Tiếp nhận, số hóa và chuyển hồ sơ", D("0.5")),
            (OFFICE, "Xem xét nội dung thông báo, dự thảo văn bản trả lời (nếu có)", D("12")),
            (CITY_LEADER, "Xem xét, ký văn bản trả lời (nếu không đồng ý)", D("2")),
            (DESK, "Trả kết quả", D("0.5")),
        ),
        # Verified at commune level only (10-15 days); the district analogue is [P].
        unverified=("thủ tục cấp huyện và thời hạn [P]", UNKNOWN_CODE),
    ),
    Spec(
        row=5,
        code="1.008899",
        name=(
            "Thông báo thành lập đối với thư viện thuộc cơ sở giáo dục mầm non, cơ sở giáo dục "
            "phổ thông, cơ sở giáo dục nghề nghiệp và cơ sở giáo dục khác ngoài công lập và thư "
            "viện tư nhân có phục vụ cộng đồng"
        ),
        field="thu-vien",
        time=D(15),
        unit=DAYS,
        time_note=(
            "kể từ ngày nhận đủ hồ sơ thông báo hợp lệ. Thông báo phải gửi trước ít nhất "
            "30 ngày tính đến ngày thư viện mở cửa hoạt động."
        ),
        subjects=(
            "Tổ chức, cá nhân thành lập thư viện tư nhân có phục vụ cộng đồng; cơ sở giáo dục mầm "
            "non, phổ thông, nghề nghiệp và cơ sở giáo dục khác ngoài công lập."
        ),
        competent=CITY,
        result=("Văn bản trả lời của UBND thành phố; trường hợp không đồng ý phải nêu rõ lý do."),
        requirements=(
            "Thư viện đáp ứng các điều kiện thành lập quy định tại khoản 1 Điều 18 Luật Thư viện "
            "(mục tiêu, đối tượng phục vụ; tài nguyên thông tin; địa điểm, cơ sở vật chất; người "
            "làm công tác thư viện)."
        ),
        legal_basis=LIBRARY_LAW,
        publication=LIBRARY_DECISION,
        online_level=OnlineLevel.FULL,
        steps=(
            _submit_step("Tổ chức, cá nhân thành lập thư viện"),
            RECEIVE_STEP,
            (
                "Xem xét thông báo",
                "Trong 10 ngày kể từ ngày tiếp nhận, nếu hồ sơ chưa đủ tài liệu, UBND thành phố "
                "gửi văn bản yêu cầu bổ sung hoặc điều chỉnh. Trong 15 ngày kể từ ngày nhận đủ hồ "
                "sơ hợp lệ, UBND thành phố trả lời bằng văn bản.",
            ),
            RETURN_STEP,
        ),
        components=(
            Component(
                "Thông báo thành lập thư viện",
                form_name="Mẫu số 01A",
                form="thu-vien-01a-thong-bao-thanh-lap.pdf",
                note=(
                    "Ban hành kèm theo Thông tư số 01/2020/TT-BVHTTDL (cần đối chiếu mẫu hiện "
                    "hành)."
                ),
            ),
            Component(
                "Bản sao quyết định thành lập hoặc văn bản cho phép thành lập cơ sở giáo dục",
                originals=0,
                copies=1,
                required=False,
                note="Đối với thư viện thuộc cơ sở giáo dục ngoài công lập.",
            ),
            Component(
                "Tài liệu chứng minh đủ điều kiện thành lập thư viện theo khoản 1 Điều 18 Luật "
                "Thư viện (danh mục tài nguyên thông tin, cơ sở vật chất, người làm công tác thư "
                "viện)"
            ),
        ),
        workflow=(
            (DESK, "Tiếp nhận, số hóa và chuyển hồ sơ", D("0.5")),
            (OFFICE, "Xem xét hồ sơ, dự thảo văn bản trả lời", D("11.5")),
            (CITY_LEADER, "Xem xét, ký văn bản trả lời", D("2.5")),
            (DESK, "Trả kết quả", D("0.5")),
        ),
        unverified=("thành phần hồ sơ [S/P]", UNKNOWN_CODE),
    ),
    # Row 6 of §10 lumps merger/split and dissolution/termination; most provinces publish the
    # termination notice as a separate procedure [U], which is not seeded here.
    Spec(
        row=6,
        code="1.008900",
        name=(
            "Thông báo sáp nhập, hợp nhất, chia, tách thư viện đối với thư viện thuộc cơ sở giáo "
            "dục mầm non, cơ sở giáo dục phổ thông, cơ sở giáo dục nghề nghiệp và cơ sở giáo dục "
            "khác ngoài công lập và thư viện tư nhân có phục vụ cộng đồng"
        ),
        field="thu-vien",
        time=D(15),
        unit=DAYS,
        time_note=(
            "kể từ ngày nhận đủ hồ sơ thông báo hợp lệ. Thông báo phải gửi trước ít nhất "
            "30 ngày tính đến ngày thực hiện sáp nhập, hợp nhất, chia, tách."
        ),
        subjects=(
            "Tổ chức, cá nhân đã thành lập thư viện tư nhân có phục vụ cộng đồng; cơ sở giáo dục "
            "ngoài công lập có thư viện."
        ),
        competent=CITY,
        result="Văn bản trả lời của UBND thành phố; trường hợp không đồng ý phải nêu rõ lý do.",
        legal_basis=LIBRARY_LAW,
        publication=LIBRARY_DECISION,
        online_level=OnlineLevel.FULL,
        steps=(
            _submit_step("Tổ chức, cá nhân thành lập thư viện"),
            RECEIVE_STEP,
            (
                "Xem xét thông báo",
                "Phòng Văn hóa và Thông tin xem xét hồ sơ, tham mưu UBND thành phố trả lời bằng "
                "văn bản.",
            ),
            RETURN_STEP,
        ),
        components=(
            Component(
                "Thông báo sáp nhập, hợp nhất, chia, tách thư viện",
                form_name="Mẫu thông báo (Thông tư số 01/2020/TT-BVHTTDL)",
                form="thu-vien-thong-bao-sap-nhap-hop-nhat-chia-tach.pdf",
            ),
            Component(
                "Tài liệu chứng minh thư viện hình thành sau khi sáp nhập, hợp nhất, chia, tách "
                "đáp ứng điều kiện theo khoản 1 Điều 18 Luật Thư viện"
            ),
        ),
        workflow=(
            (DESK, "Tiếp nhận, số hóa và chuyển hồ sơ", D("0.5")),
            (OFFICE, "Xem xét hồ sơ, dự thảo văn bản trả lời", D("11.5")),
            (CITY_LEADER, "Xem xét, ký văn bản trả lời", D("2.5")),
            (DESK, "Trả kết quả", D("0.5")),
        ),
        unverified=("thời hạn và phí [P]", "thành phần hồ sơ [S]", UNKNOWN_CODE),
    ),
    Spec(
        row=7,
        code="1.012781",
        name="Xét tặng danh hiệu “Thôn, Tổ dân phố văn hóa”",
        field="van-hoa-co-so",
        time=D(10),
        unit=DAYS,
        time_note=(
            "kể từ ngày nhận đủ hồ sơ. Trước khi trình, UBND phường, xã công khai danh "
            "sách để lấy ý kiến nhân dân trong 10 ngày."
        ),
        subjects="Ủy ban nhân dân phường, xã (đề nghị cho thôn, tổ dân phố trên địa bàn).",
        competent=CITY_CHAIR,
        result="Quyết định của Chủ tịch UBND thành phố tặng danh hiệu “Thôn, Tổ dân phố văn hóa”.",
        requirements=(
            "Thôn, tổ dân phố đạt khung tiêu chuẩn quy định tại Nghị định số 86/2023/NĐ-CP và được "
            "Hội đồng Thi đua - Khen thưởng cấp xã bình xét, công khai lấy ý kiến nhân dân."
        ),
        legal_basis=AWARD_LAW,
        publication=AWARD_DECISION,
        online_level=OnlineLevel.PARTIAL,
        steps=(
            (
                "Đề nghị",
                "Trưởng thôn, Tổ trưởng tổ dân phố gửi báo cáo thành tích đến UBND phường, xã. "
                "UBND phường, xã họp Hội đồng Thi đua - Khen thưởng, công khai danh sách lấy ý "
                "kiến nhân dân trong 10 ngày, lập hồ sơ trình Chủ tịch UBND thành phố.",
            ),
            RECEIVE_STEP,
            (
                "Thẩm định và quyết định",
                "Phòng Văn hóa và Thông tin thẩm định hồ sơ, trình Chủ tịch UBND thành phố quyết "
                "định tặng danh hiệu.",
            ),
            RETURN_STEP,
        ),
        components=(
            Component(
                "Tờ trình đề nghị xét tặng danh hiệu “Thôn, Tổ dân phố văn hóa”",
                form_name="Mẫu số 04",
                form="thon-tdp-04-to-trinh.pdf",
                note="Ban hành kèm theo Nghị định số 86/2023/NĐ-CP.",
            ),
            Component(
                "Báo cáo thành tích đề nghị xét tặng danh hiệu “Thôn, Tổ dân phố văn hóa”",
                form_name="Mẫu số 05",
                form="thon-tdp-05-bao-cao-thanh-tich.pdf",
                note="Ban hành kèm theo Nghị định số 86/2023/NĐ-CP.",
            ),
            Component(
                "Biên bản họp bình xét danh hiệu “Thôn, Tổ dân phố văn hóa”",
                form_name="Mẫu số 06",
                form="thon-tdp-06-bien-ban-binh-xet.pdf",
                note="Ban hành kèm theo Nghị định số 86/2023/NĐ-CP.",
            ),
        ),
        workflow=(
            (DESK, "Tiếp nhận, số hóa và chuyển hồ sơ", D("0.5")),
            (OFFICE, "Thẩm định hồ sơ, trình Hội đồng Thi đua - Khen thưởng thành phố", D("6.5")),
            (CITY_LEADER, "Chủ tịch UBND thành phố xem xét, ký quyết định", D("2.5")),
            (DESK, "Trả kết quả", D("0.5")),
        ),
        unverified=(UNKNOWN_CODE,),
    ),
    Spec(
        row=8,
        code="1.012782",
        name="Xét tặng danh hiệu “Xã, phường, thị trấn tiêu biểu”",
        field="van-hoa-co-so",
        time=D(15),
        unit=DAYS,
        time_note="kể từ ngày nhận đủ hồ sơ (thời hạn minh họa, cần đối chiếu).",
        subjects="Ủy ban nhân dân phường, xã.",
        competent=CITY_CHAIR,
        result=(
            "Quyết định của Chủ tịch UBND thành phố tặng danh hiệu “Xã, phường, thị trấn tiêu "
            "biểu”."
        ),
        requirements=(
            "Xã, phường đạt khung tiêu chuẩn quy định tại Nghị định số 86/2023/NĐ-CP và được công "
            "khai lấy ý kiến nhân dân."
        ),
        legal_basis=AWARD_LAW,
        publication=AWARD_DECISION,
        online_level=OnlineLevel.PARTIAL,
        steps=(
            _submit_step("UBND phường, xã"),
            RECEIVE_STEP,
            (
                "Thẩm định và quyết định",
                "Phòng Văn hóa và Thông tin thẩm định hồ sơ, trình Chủ tịch UBND thành phố quyết "
                "định tặng danh hiệu.",
            ),
            RETURN_STEP,
        ),
        components=(
            Component(
                "Tờ trình đề nghị xét tặng danh hiệu “Xã, phường, thị trấn tiêu biểu”",
                form_name="Mẫu tờ trình (Nghị định số 86/2023/NĐ-CP)",
                form="xa-tieu-bieu-to-trinh.pdf",
            ),
            Component(
                "Báo cáo thành tích đề nghị xét tặng danh hiệu “Xã, phường, thị trấn tiêu biểu”",
                form_name="Mẫu báo cáo (Nghị định số 86/2023/NĐ-CP)",
                form="xa-tieu-bieu-bao-cao-thanh-tich.pdf",
            ),
            Component(
                "Biên bản họp bình xét danh hiệu “Xã, phường, thị trấn tiêu biểu”",
                form_name="Mẫu biên bản (Nghị định số 86/2023/NĐ-CP)",
                form="xa-tieu-bieu-bien-ban-binh-xet.pdf",
            ),
        ),
        workflow=(
            (DESK, "Tiếp nhận, số hóa và chuyển hồ sơ", D("0.5")),
            (OFFICE, "Thẩm định hồ sơ, trình Hội đồng Thi đua - Khen thưởng thành phố", D("10")),
            (CITY_LEADER, "Chủ tịch UBND thành phố xem xét, ký quyết định", D("4")),
            (DESK, "Trả kết quả", D("0.5")),
        ),
        unverified=("thời hạn [P]", "thành phần hồ sơ [P]", UNKNOWN_CODE),
    ),
    Spec(
        row=9,
        code="2.001885",  # [V] DOMAIN.md §4.3 (2.001885.000.00.00.H21, Gia Lai)
        name=(
            "Cấp Giấy chứng nhận đủ điều kiện hoạt động điểm cung cấp dịch vụ trò chơi điện tử "
            "công cộng"
        ),
        field="phat-thanh-truyen-hinh-thong-tin-dien-tu",
        time=D(10),
        unit=WD,
        time_note=(
            "kể từ ngày nhận đủ hồ sơ theo quy định; bao gồm thời gian kiểm tra thực tế tại điểm "
            "cung cấp dịch vụ."
        ),
        subjects="Tổ chức, doanh nghiệp, cá nhân.",
        competent=CITY,
        result=(
            "Giấy chứng nhận đủ điều kiện hoạt động điểm cung cấp dịch vụ trò chơi điện tử công "
            "cộng (thời hạn 03 năm). Trường hợp từ chối, có văn bản nêu rõ lý do."
        ),
        requirements=GAME_CONDITIONS,
        legal_basis=GAME_LAW,
        publication=GAME_DECISION,
        online_level=OnlineLevel.PARTIAL,
        steps=(
            _submit_step("Tổ chức, doanh nghiệp, cá nhân"),
            RECEIVE_STEP,
            (
                "Thẩm định và kiểm tra thực tế",
                "Phòng Văn hóa và Thông tin thẩm định hồ sơ, kiểm tra thực tế điểm cung cấp "
                "dịch vụ, trình UBND thành phố cấp Giấy chứng nhận; trường hợp từ chối phải trả "
                "lời bằng văn bản, nêu rõ lý do.",
            ),
            RETURN_STEP,
        ),
        components=(
            Component(
                "Đơn đề nghị cấp Giấy chứng nhận đủ điều kiện hoạt động điểm cung cấp dịch vụ trò "
                "chơi điện tử công cộng",
                form_name="Mẫu số 51a / 51b",
                form="tcdt-51-de-nghi-cap-giay-chung-nhan.pdf",
                note=(
                    "Mẫu số 51a đối với cá nhân, Mẫu số 51b đối với tổ chức, doanh nghiệp (Nghị "
                    "định số 147/2024/NĐ-CP)."
                ),
            ),
            Component(
                "Bản sao Giấy chứng nhận đăng ký doanh nghiệp hoặc Giấy chứng nhận đăng ký hộ kinh "
                "doanh",
                originals=0,
                copies=1,
                note="Cần đối chiếu với quyết định công bố hiện hành.",
            ),
            Component(
                "Căn cước hoặc căn cước công dân của chủ điểm",
                note="Xuất trình bản chính để đối chiếu, không nộp.",
            ),
        ),
        # Split published by Điện Bàn (DOMAIN.md §6 [V]): desk 1 + office 8 + desk 1.
        workflow=(
            (DESK, "Tiếp nhận, số hóa và chuyển hồ sơ", D(1)),
            (OFFICE, "Thẩm định, kiểm tra thực tế, trình ký Giấy chứng nhận", D(8)),
            (DESK, "Trả kết quả", D(1)),
        ),
    ),
    Spec(
        row=10,
        code="2.001884",  # Lâm Đồng (H36) and Phú Thọ (H44) portal pages
        name=(
            "Sửa đổi, bổ sung Giấy chứng nhận đủ điều kiện hoạt động điểm cung cấp dịch vụ trò "
            "chơi điện tử công cộng"
        ),
        field="phat-thanh-truyen-hinh-thong-tin-dien-tu",
        time=D(5),
        unit=WD,
        time_note="kể từ ngày nhận đủ hồ sơ theo quy định.",
        subjects="Tổ chức, doanh nghiệp, cá nhân đã được cấp Giấy chứng nhận.",
        competent=CITY,
        result=(
            "Giấy chứng nhận đủ điều kiện hoạt động điểm cung cấp dịch vụ trò chơi điện tử công "
            "cộng đã được sửa đổi, bổ sung. Trường hợp từ chối, có văn bản nêu rõ lý do."
        ),
        requirements=(
            "Trong thời hạn hiệu lực của Giấy chứng nhận, chủ điểm phải làm thủ tục sửa đổi, bổ "
            "sung khi thay đổi tên điểm, thay đổi chủ điểm (đối với cá nhân) hoặc người quản lý "
            "trực tiếp điểm (đối với tổ chức, doanh nghiệp) hoặc các thông tin khác ghi trên Giấy "
            "chứng nhận."
        ),
        legal_basis=GAME_LAW,
        publication=GAME_DECISION,
        online_level=OnlineLevel.FULL,
        steps=(
            _submit_step("Chủ điểm cung cấp dịch vụ"),
            RECEIVE_STEP,
            (
                "Thẩm định",
                "Phòng Văn hóa và Thông tin thẩm định hồ sơ, trình UBND thành phố sửa đổi, bổ sung "
                "Giấy chứng nhận; trường hợp từ chối phải trả lời bằng văn bản, nêu rõ lý do.",
            ),
            RETURN_STEP,
        ),
        components=(
            Component(
                "Đơn đề nghị sửa đổi, bổ sung Giấy chứng nhận đủ điều kiện hoạt động điểm cung cấp "
                "dịch vụ trò chơi điện tử công cộng",
                form_name="Mẫu đơn dành cho cá nhân / tổ chức (Nghị định số 147/2024/NĐ-CP)",
                form="tcdt-de-nghi-sua-doi-bo-sung-giay-chung-nhan.pdf",
            ),
            Component(
                "Các tài liệu có liên quan đến các thông tin thay đổi",
                required=False,
                note="Nếu có.",
            ),
        ),
        workflow=(
            (DESK, "Tiếp nhận, số hóa và chuyển hồ sơ", D("0.5")),
            (OFFICE, "Thẩm định hồ sơ, dự thảo Giấy chứng nhận sửa đổi, bổ sung", D(3)),
            (CITY_LEADER, "Xem xét, ký Giấy chứng nhận", D(1)),
            (DESK, "Trả kết quả", D("0.5")),
        ),
    ),
    Spec(
        row=11,
        code="2.001880",
        name=(
            "Gia hạn Giấy chứng nhận đủ điều kiện hoạt động điểm cung cấp dịch vụ trò chơi điện "
            "tử công cộng"
        ),
        field="phat-thanh-truyen-hinh-thong-tin-dien-tu",
        time=D(5),
        unit=WD,
        time_note="kể từ ngày nhận đủ hồ sơ theo quy định.",
        subjects="Tổ chức, doanh nghiệp, cá nhân đã được cấp Giấy chứng nhận.",
        competent=CITY,
        result=(
            "Quyết định gia hạn Giấy chứng nhận đủ điều kiện hoạt động điểm cung cấp dịch vụ trò "
            "chơi điện tử công cộng. Trường hợp từ chối, có văn bản nêu rõ lý do."
        ),
        requirements=(
            "Giấy chứng nhận chỉ được gia hạn 01 lần, thời hạn gia hạn tối đa 06 tháng; hồ sơ nộp "
            "khi Giấy chứng nhận còn hiệu lực."
        ),
        legal_basis=GAME_LAW,
        publication=GAME_DECISION,
        online_level=OnlineLevel.FULL,
        steps=(
            _submit_step("Chủ điểm cung cấp dịch vụ"),
            RECEIVE_STEP,
            (
                "Thẩm định",
                "Phòng Văn hóa và Thông tin thẩm định hồ sơ, trình UBND thành phố ban hành quyết "
                "định gia hạn; trường hợp từ chối phải trả lời bằng văn bản, nêu rõ lý do.",
            ),
            RETURN_STEP,
        ),
        components=(
            Component(
                "Đơn đề nghị gia hạn Giấy chứng nhận đủ điều kiện hoạt động điểm cung cấp dịch vụ "
                "trò chơi điện tử công cộng",
                form_name="Mẫu đơn dành cho cá nhân / tổ chức (Nghị định số 147/2024/NĐ-CP)",
                form="tcdt-de-nghi-gia-han-giay-chung-nhan.pdf",
            ),
        ),
        workflow=(
            (DESK, "Tiếp nhận, số hóa và chuyển hồ sơ", D("0.5")),
            (OFFICE, "Thẩm định hồ sơ, dự thảo quyết định gia hạn", D(3)),
            (CITY_LEADER, "Xem xét, ký quyết định gia hạn", D(1)),
            (DESK, "Trả kết quả", D("0.5")),
        ),
        unverified=(UNKNOWN_CODE,),
    ),
    Spec(
        row=12,
        code="2.001786",  # Hải Dương portal page (2.001786.000.00.00.H23)
        name=(
            "Cấp lại Giấy chứng nhận đủ điều kiện hoạt động điểm cung cấp dịch vụ trò chơi điện "
            "tử công cộng"
        ),
        field="phat-thanh-truyen-hinh-thong-tin-dien-tu",
        time=D(5),
        unit=WD,
        time_note="kể từ ngày nhận đủ hồ sơ theo quy định.",
        subjects="Tổ chức, doanh nghiệp, cá nhân đã được cấp Giấy chứng nhận.",
        competent=CITY,
        result=(
            "Giấy chứng nhận đủ điều kiện hoạt động điểm cung cấp dịch vụ trò chơi điện tử công "
            "cộng (cấp lại). Trường hợp từ chối, có văn bản nêu rõ lý do."
        ),
        requirements="Giấy chứng nhận bị mất hoặc bị hư hỏng không còn sử dụng được.",
        legal_basis=GAME_LAW,
        publication=GAME_DECISION,
        online_level=OnlineLevel.FULL,
        steps=(
            _submit_step("Chủ điểm cung cấp dịch vụ"),
            RECEIVE_STEP,
            (
                "Thẩm định",
                "Phòng Văn hóa và Thông tin thẩm định hồ sơ, trình UBND thành phố cấp lại Giấy "
                "chứng nhận; trường hợp từ chối phải trả lời bằng văn bản, nêu rõ lý do.",
            ),
            RETURN_STEP,
        ),
        components=(
            Component(
                "Đơn đề nghị cấp lại Giấy chứng nhận đủ điều kiện hoạt động điểm cung cấp dịch vụ "
                "trò chơi điện tử công cộng",
                form_name="Mẫu số 55a / 55b",
                form="tcdt-55-de-nghi-cap-lai-giay-chung-nhan.pdf",
                note=(
                    "Mẫu số 55a đối với cá nhân, Mẫu số 55b đối với tổ chức, doanh nghiệp (Nghị "
                    "định số 147/2024/NĐ-CP)."
                ),
            ),
        ),
        workflow=(
            (DESK, "Tiếp nhận, số hóa và chuyển hồ sơ", D("0.5")),
            (OFFICE, "Thẩm định hồ sơ, dự thảo Giấy chứng nhận cấp lại", D(3)),
            (CITY_LEADER, "Xem xét, ký Giấy chứng nhận", D(1)),
            (DESK, "Trả kết quả", D("0.5")),
        ),
    ),
)


@transaction.atomic
def seed(*, agency) -> int:
    """Create the demo procedures that do not exist yet; return how many were created.

    Called by `manage.py seed_demo` after `accounts.demo.seed()`. Idempotent: skips any code
    already in the catalogue (whatever its versions), so it never makes a second version.
    Side effect: copies the sample form PDFs into the default storage (reusing copies left by an
    earlier run).
    """
    fields = {code: _field(code=code, name=name) for code, name in FIELDS.items()}
    existing = set(
        Procedure.objects.filter(code__in=[s.code for s in PROCEDURES]).values_list(
            "code", flat=True
        )
    )
    created = 0
    for spec in PROCEDURES:
        if spec.code in existing:
            continue
        _create_procedure(spec=spec, agency=agency, field=fields[spec.field])
        created += 1
    return created


def _field(*, code: str, name: str) -> Field:
    field = Field.objects.filter(code=code).first() or Field.objects.filter(name=name).first()
    return field or Field.objects.create(code=code, name=name)


def _time_text(spec: Spec) -> str:
    unit = "ngày làm việc" if spec.unit == WD else "ngày"
    amount = spec.time.normalize()
    shown = f"{int(amount):02d}" if amount == int(amount) else f"{amount}".replace(".", ",")
    return f"{shown} {unit}"


def _create_procedure(*, spec: Spec, agency, field: Field) -> Procedure:
    budget = sum(b for _, _, b in spec.workflow)
    if budget != spec.time:
        raise ValueError(f"{spec.code}: workflow budgets add up to {budget}, not {spec.time}")
    publication, effective_from = spec.publication
    procedure = Procedure(
        agency=agency,
        code=spec.code,
        local_code=spec.code + LOCAL_CODE_SUFFIX,
        version=1,
        status=ProcedureStatus.PUBLISHED,
        name=spec.name,
        field=field,
        level=ProcedureLevel.DISTRICT,
        processing_time_amount=spec.time,
        processing_time_unit=spec.unit,
        processing_time_note=spec.time_note,
        subjects=spec.subjects,
        implementing_agency=agency.name,
        competent_agency=spec.competent,
        coordinating_agency=spec.coordinating,
        receiving_address=agency.address,
        result=spec.result,
        requirements=spec.requirements,
        fee_description=spec.fee,
        fee_legal_basis=spec.fee_legal_basis,
        legal_basis=spec.legal_basis,
        publication_decision=publication,
        online_level=spec.online_level,
        online_url=ONLINE_URL if spec.online_level != OnlineLevel.NONE else "",
        effective_from=effective_from,
        is_illustrative=spec.is_illustrative,
        published_at=timezone.now(),
    )
    procedure.full_clean(exclude=["search_text"])
    procedure.save()

    rows = [
        ProcedureStep(procedure=procedure, position=i, title=title, description=text)
        for i, (title, text) in enumerate(spec.steps, start=1)
    ]
    rows += _methods(spec=spec, procedure=procedure)
    rows += [
        WorkflowStep(
            procedure=procedure,
            position=i,
            unit=unit,
            task=task,
            time_budget=budget,
            time_budget_unit=spec.unit,
        )
        for i, (unit, task, budget) in enumerate(spec.workflow, start=1)
    ]
    for i, item in enumerate(spec.components, start=1):
        component = DossierComponent(
            procedure=procedure,
            position=i,
            name=item.name,
            original_count=item.originals,
            copy_count=item.copies,
            is_required=item.required,
            note=item.note,
            form_name=item.form_name,
        )
        if item.form:
            _attach_form(component=component, filename=item.form)
        rows.append(component)
    for row in rows:
        row.full_clean(exclude=["procedure"])
        row.save()
    return procedure


def _methods(*, spec: Spec, procedure: Procedure) -> list[SubmissionMethod]:
    time = f"{_time_text(spec)} kể từ ngày nhận đủ hồ sơ hợp lệ"
    notes = {
        SubmissionChannel.IN_PERSON: IN_PERSON_NOTE + spec.fee_note,
        SubmissionChannel.POSTAL: POSTAL_NOTE + spec.fee_note,
    }
    if spec.online_level != OnlineLevel.NONE:
        notes[SubmissionChannel.ONLINE] = ONLINE_NOTES[spec.online_level]
    return [
        SubmissionMethod(
            procedure=procedure,
            channel=channel,
            processing_time=time,
            fee=spec.method_fee,
            note=note,
        )
        for channel, note in sorted(notes.items())
    ]


def _attach_form(*, component: DossierComponent, filename: str) -> None:
    """Point `component.form_file` at a stored copy of demo_forms/<filename>.

    A copy with the same name and size already in storage (left by a run against a database
    that has since been reset) is reused, so repeated seeding never piles up renamed duplicates.
    """
    source = FORMS_DIR / filename
    file_field = component.form_file
    name = file_field.field.generate_filename(component, filename)
    storage = file_field.storage
    if storage.exists(name) and storage.size(name) == source.stat().st_size:
        component.form_file = name
        return
    with source.open("rb") as handle:
        file_field.save(filename, File(handle, name=filename), save=False)
