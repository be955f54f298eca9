"""Survey v1: the six criteria of plan 645/KH-VHTT (Phòng VH&TT Nha Trang, 2021), section II.

Each criterion gets 2-3 statements the citizen scores 1-5, written from what the plan says the
office must do for that criterion, and short enough to answer the whole survey in about a
minute. The "điều kiện tiếp đón" criterion also shows the checklist of what citizens most
often find missing (plan II.1: forms, pens, seats, keyboards/computers for look-up) plus the
waiting time. Administrators change all this in the admin by making a new version.
"""

from django.db import migrations

CODE = "hai-long-mot-cua"

CRITERIA = [
    (
        "tiep_can_dich_vu",
        "Tiếp cận dịch vụ",
        "Thông tin về thủ tục, cách tra cứu và nộp hồ sơ; giải đáp thắc mắc.",
        False,
        [
            "Thông tin về thủ tục hành chính (thành phần hồ sơ, biểu mẫu, phí, lệ phí, thời hạn) "
            "được cung cấp đầy đủ, rõ ràng, dễ tìm.",
            "Ông/Bà dễ dàng biết cách nộp hồ sơ (trực tiếp, trực tuyến, bưu chính) và cách tra "
            "cứu tiến độ giải quyết.",
            "Thắc mắc của Ông/Bà được giải đáp tận tình, đầy đủ khi có yêu cầu.",
        ],
    ),
    (
        "dieu_kien_tiep_don",
        "Điều kiện tiếp đón và phục vụ",
        "Chỗ ngồi, văn phòng phẩm, máy tính tra cứu tại Bộ phận Một cửa.",
        True,
        [
            "Nơi tiếp đón có đủ chỗ ngồi chờ, sạch sẽ, thoáng mát.",
            "Quầy giao dịch có đủ mẫu tờ khai, bút viết và văn phòng phẩm cần thiết.",
            "Máy tính tra cứu và các trang thiết bị phục vụ dễ sử dụng, hoạt động tốt.",
        ],
    ),
    (
        "thu_tuc_hanh_chinh",
        "Thủ tục hành chính",
        "Công khai thủ tục, hồ sơ mẫu, giấy tờ phải nộp.",
        False,
        [
            "Thủ tục hành chính được niêm yết công khai đầy đủ, đúng quy định tại nơi tiếp nhận "
            "và trên Cổng thông tin.",
            "Hồ sơ mẫu, biểu mẫu, tờ khai dễ hiểu, dễ kê khai.",
            "Ông/Bà không phải nộp thêm giấy tờ nào ngoài quy định.",
        ],
    ),
    (
        "phuc_vu_cong_chuc",
        "Sự phục vụ của công chức",
        "Thái độ, cách hướng dẫn và giải quyết công việc của công chức.",
        False,
        [
            "Công chức giao tiếp lịch sự, tận tình, tôn trọng Ông/Bà.",
            "Công chức hướng dẫn kê khai, bổ sung hồ sơ rõ ràng, đầy đủ, một lần là đủ.",
            "Công chức giải quyết công việc nhanh chóng, thành thạo; không gây phiền hà, "
            "không đòi thêm chi phí ngoài quy định.",
        ],
    ),
    (
        "ket_qua_tien_do",
        "Kết quả, tiến độ giải quyết công việc",
        "Nhận kết quả đúng hẹn, kết quả đúng và đầy đủ.",
        False,
        [
            "Ông/Bà nhận được kết quả đúng hẹn (nếu trễ hẹn, được xin lỗi và hẹn lại bằng "
            "văn bản).",
            "Kết quả giải quyết đúng quy định, thông tin trên kết quả đầy đủ, chính xác.",
            "Ông/Bà được báo khi có kết quả và không phải đi lại nhiều lần.",
        ],
    ),
    (
        "tiep_nhan_phan_hoi",
        "Tiếp nhận và xử lý thông tin phản hồi",
        "Góp ý, phản ánh, kiến nghị được tiếp nhận và trả lời.",
        False,
        [
            "Có đủ cách để góp ý, phản ánh, kiến nghị (đường dây nóng, hòm thư, Cổng thông tin) "
            "và dễ sử dụng.",
            # Optional: most citizens never sent feedback and cannot rate how it was handled.
            ("Phản ánh, kiến nghị của Ông/Bà (nếu có) được tiếp nhận, trả lời kịp thời.", False),
        ],
    ),
]

# Plan 645 II.1: forms, pens, keyboards/computers, seats; plus waiting, the most common
# complaint at one-stop desks; "khác" lets the citizen say more in the comment.
FACILITY_OPTIONS = [
    ("bieu_mau", "Thiếu mẫu tờ khai, biểu mẫu"),
    ("but_giay", "Thiếu bút, giấy viết"),
    ("ghe_ngoi", "Thiếu ghế ngồi chờ"),
    ("may_tinh", "Máy tính tra cứu không dùng được"),
    ("thoi_gian_cho", "Phải chờ lâu"),
    ("khac", "Khác (xin ghi rõ ở phần góp ý)"),
]


def forwards(apps, schema_editor):
    Survey = apps.get_model("satisfaction", "Survey")
    Criterion = apps.get_model("satisfaction", "Criterion")
    Question = apps.get_model("satisfaction", "Question")
    FacilityOption = apps.get_model("satisfaction", "FacilityOption")
    if Survey.objects.filter(code=CODE).exists():
        return
    survey = Survey.objects.create(
        code=CODE,
        version=1,
        title="Đánh giá sự hài lòng về sự phục vụ của Bộ phận Một cửa",
        introduction=(
            "Xin Ông/Bà dành khoảng một phút cho biết mức độ hài lòng của mình. Phiếu không "
            "hỏi họ tên, số điện thoại; ý kiến của Ông/Bà giúp chúng tôi phục vụ tốt hơn."
        ),
        is_active=True,
    )
    for position, (code, label, description, facilities, questions) in enumerate(CRITERIA, start=1):
        criterion = Criterion.objects.create(
            survey=survey,
            position=position,
            code=code,
            label=label,
            description=description,
            shows_facilities=facilities,
        )
        for number, question in enumerate(questions, start=1):
            text, required = question if isinstance(question, tuple) else (question, True)
            Question.objects.create(
                criterion=criterion, position=number, text=text, is_required=required
            )
    for position, (code, label) in enumerate(FACILITY_OPTIONS, start=1):
        FacilityOption.objects.create(survey=survey, position=position, code=code, label=label)


def backwards(apps, schema_editor):
    Survey = apps.get_model("satisfaction", "Survey")
    Survey.objects.filter(code=CODE, version=1, responses__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("satisfaction", "0001_survey_invitations_kiosks_responses")]
    operations = [migrations.RunPython(forwards, backwards)]
