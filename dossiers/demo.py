"""Demo dossiers: about 120 dossiers of the last six months, in every state (`manage.py seed_demo`).

Every dossier is built through the real services (`dossiers.services`) while time-machine moves
"now" to the moment of each action, so codes, due dates, history, pauses, hand-overs and
apologies are exactly what the desk would have produced on those days; late dossiers get their
explanations (giải trình) the morning after, in every state of the review cycle. The plan is
relative to `now`: old dossiers are finished, recent ones are open, a few are overdue or due
within one working day, so dashboards look alive whatever day the demo is loaded.

time-machine patches the clock of the whole process, so this runs from a management command or
a test, never inside a serving web process. Deterministic (seeded random) and idempotent: demo
dossiers carry `DEMO_NOTE` at the start of their note; when the agency already has one,
`seed()` adds nothing and returns 0.
Applicants are invented from small built-in lists (names, Nha Trang streets, mobile prefixes
that pass `phonenumbers`, ID numbers with Khánh Hòa's 056 prefix); `fake_applicant` is shared
with the bulk generator (`manage.py generate_dossiers`).
"""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import time_machine
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from core.calendar import TimeUnit, WorkingCalendar, get_calendar
from core.text import fold
from procedures.constants import OnlineLevel, ProcedureStatus, SubmissionChannel
from procedures.models import Procedure

from . import services
from .constants import (
    ApplicantType,
    DocumentKind,
    ExplanationReason,
    PauseKind,
    Timeliness,
)
from .models import Dossier, DossierExplanation

DEMO_NOTE = "Hồ sơ mẫu (dữ liệu demo)."
DEMO_SEED = 20260115
# The demo staff of accounts.demo: desk officer, specialist, office head.
DESK_USERNAME, SPECIALIST_USERNAME, LEADER_USERNAME = "motcua", "chuyenvien", "lanhdao"


# --- invented applicants ---------------------------------------------------------------------
def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FAMILY_NAMES = _words(
    "Nguyễn Nguyễn Nguyễn Trần Trần Lê Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô "
    "Dương Lý Trương Đinh Cao Lâm Mai Tô Châu"
)
MALE_MIDDLE = ("Văn", "Hữu", "Minh", "Đức", "Quốc", "Thanh", "Công", "Ngọc", "Xuân", "Trọng")
FEMALE_MIDDLE = ("Thị", "Thị", "Ngọc", "Thu", "Kim", "Thanh", "Mỹ", "Bích", "Diệu", "Hoài")
MALE_GIVEN = _words(
    "An Bình Cường Dũng Đạt Hải Hiếu Hoàng Hùng Huy Khánh Khoa Lâm Long Minh Nam Nghĩa "
    "Phong Phúc Quân Quang Sơn Tài Thắng Thịnh Toàn Trung Tuấn Việt Vinh"
)
FEMALE_GIVEN = _words(
    "Anh Chi Dung Giang Hà Hạnh Hằng Hoa Hương Lan Liên Linh Loan Mai My Nga Ngân Nhung "
    "Oanh Phương Quyên Tâm Thảo Thủy Trang Trinh Uyên Vân Vy Yến"
)
STREETS = (
    "Trần Phú",
    "Lê Thánh Tôn",
    "Nguyễn Thiện Thuật",
    "Hùng Vương",
    "Thống Nhất",
    "Yersin",
    "Quang Trung",
    "Lê Hồng Phong",
    "2 Tháng 4",
    "Phạm Văn Đồng",
    "Nguyễn Trãi",
    "Hoàng Văn Thụ",
    "Bà Triệu",
    "Tô Hiến Thành",
    "Biệt Thự",
    "Trần Quang Khải",
    "Lý Tự Trọng",
    "Pasteur",
    "Ngô Gia Tự",
    "Võ Thị Sáu",
    "Nguyễn Tất Thành",
    "Đường 23 Tháng 10",
    "Phước Long",
    "Dã Tượng",
)
# The wards of Nha Trang after the 1 July 2025 reorganisation.
WARDS = ("Nha Trang", "Bắc Nha Trang", "Tây Nha Trang", "Nam Nha Trang")
# Mobile prefixes accepted by phonenumbers 9.0.43 for any 7 following digits (DOMAIN.md §12.1;
# 089 and 099 are left out: not every number under them is valid).
MOBILE_PREFIXES = _words(
    "090 091 093 094 096 097 098 032 033 034 035 036 037 038 039 070 076 077 078 079 081 "
    "082 083 084 085 086 088 056 058 092"
)
KHANH_HOA_CCCD = "056"  # province of birth registration (DOMAIN.md §12.2)

BUSINESS_WORDS = (
    "Biển Xanh",
    "Hoàng Gia",
    "Sao Mai",
    "Ánh Dương",
    "Hòn Chồng",
    "Phương Nam",
    "Trầm Hương",
    "Bình Minh",
    "Hải Âu",
    "Thiên Ân",
)
SCHOOLS = (
    "Trường Mầm non Hoa Sen",
    "Trường Mầm non Vĩnh Hải",
    "Trường Tiểu học Lộc Thọ",
    "Trường Tiểu học Phước Hòa",
    "Trường THCS Lê Thánh Tôn",
    "Trường THCS Trần Hưng Đạo",
)
RELICS = (
    "Đình Phú Vinh",
    "Miếu Bà Cửa Bé",
    "Đình Xương Huân",
    "Lăng Ông Vĩnh Trường",
    "Đình Phương Câu",
)


@dataclass(frozen=True)
class FakeApplicant:
    applicant_type: str
    name: str
    organisation_name: str
    id_number: str
    phone: str  # national format, 10 digits
    email: str
    address: str
    consent_sms: bool
    consent_email: bool


def fake_person(rng: random.Random) -> tuple[str, bool, int]:
    """(full name, is_female, birth year)."""
    female = rng.random() < 0.5
    middle = rng.choice(FEMALE_MIDDLE if female else MALE_MIDDLE)
    given = rng.choice(FEMALE_GIVEN if female else MALE_GIVEN)
    return f"{rng.choice(FAMILY_NAMES)} {middle} {given}", female, rng.randint(1962, 2004)


def fake_cccd(rng: random.Random, *, female: bool, birth_year: int) -> str:
    """12 digits: 056 (Khánh Hòa), gender/century digit, birth year, 6 random digits (§12.2)."""
    century_digit = 2 * ((birth_year - 1900) // 100) + (1 if female else 0)
    return f"{KHANH_HOA_CCCD}{century_digit}{birth_year % 100:02d}{rng.randrange(10**6):06d}"


def fake_mobile(rng: random.Random) -> str:
    return f"{rng.choice(MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"


def fake_address(rng: random.Random) -> str:
    number = rng.randint(1, 180)
    if rng.random() < 0.3:
        number = f"{number}/{rng.randint(1, 40)}"
    return f"{number} {rng.choice(STREETS)}, phường {rng.choice(WARDS)}, tỉnh Khánh Hòa"


def _organisation_for(rng: random.Random, procedure_code: str) -> str | None:
    """The organisation filing this kind of procedure, or None when a person files it."""
    if procedure_code in ("1.001029", "1.000963"):  # karaoke licences
        word = rng.choice(BUSINESS_WORDS)
        return rng.choice((f"Công ty TNHH Giải trí {word}", f"Hộ kinh doanh Karaoke {word}"))
    if procedure_code in ("1.003645", "1.003622"):  # festivals
        return f"Ban Quản lý {rng.choice(RELICS)}"
    if procedure_code in ("1.008899", "1.008900"):  # school libraries
        return rng.choice(SCHOOLS)
    if procedure_code in ("1.012781", "1.012782"):  # cultural titles
        return f"Ủy ban nhân dân phường {rng.choice(WARDS)}"
    if procedure_code.startswith("2.00") and rng.random() < 0.4:  # public game points
        return f"Công ty TNHH Dịch vụ Internet {rng.choice(BUSINESS_WORDS)}"
    return None


def fake_applicant(rng: random.Random, procedure_code: str = "") -> FakeApplicant:
    """An invented applicant (or an organisation's representative) for `procedure_code`."""
    name, female, birth_year = fake_person(rng)
    organisation = _organisation_for(rng, procedure_code)
    has_email = rng.random() < 0.45
    login = fold(name).replace(" ", "")
    return FakeApplicant(
        applicant_type=ApplicantType.ORGANISATION if organisation else ApplicantType.PERSON,
        name=name,
        organisation_name=organisation or "",
        id_number=fake_cccd(rng, female=female, birth_year=birth_year),
        phone=fake_mobile(rng),
        email=f"{login}{rng.randint(1, 99)}@example.com" if has_email else "",
        address=fake_address(rng),
        consent_sms=rng.random() < 0.85,
        consent_email=has_email and rng.random() < 0.7,
    )


# --- reasons and texts -----------------------------------------------------------------------
SUPPLEMENT_REASONS = (
    "Hồ sơ chưa đủ thành phần theo quy định sau khi thẩm định.",
    "Thông tin trong đơn không khớp với giấy tờ kèm theo.",
    "Giấy tờ nộp là bản chụp, chưa có chứng thực hoặc bản chính để đối chiếu.",
)
SUPPLEMENT_DEFECTS = (
    "thiếu chữ ký của người đại diện",
    "bản sao chưa chứng thực",
    "thông tin diện tích chưa đúng thực tế",
    "còn thiếu trang, đề nghị nộp đủ",
)
PAYMENT_REASON = (
    "Đề nghị nộp phí thẩm định theo Thông tư số 110/2025/TT-BTC trước khi cấp Giấy phép."
)
RESCHEDULE_REASONS = (
    "Cần kiểm tra thực tế địa điểm; lịch kiểm tra liên ngành bị lùi.",
    "Chờ ý kiến phối hợp của Công an phường về bảo đảm an ninh, trật tự.",
    "Lãnh đạo UBND thành phố đi công tác, chưa ký được kết quả.",
)
STOP_REASONS = (
    "Qua kiểm tra thực tế, cơ sở không đáp ứng điều kiện về diện tích phòng theo quy định.",
    "Người nộp không bổ sung hồ sơ trong thời hạn đã yêu cầu.",
    "Nội dung đề nghị không đủ điều kiện theo quy định hiện hành.",
)
WITHDRAW_REASONS = (
    "Người nộp có đơn xin rút hồ sơ để hoàn thiện lại.",
    "Tổ chức thay đổi kế hoạch, đề nghị rút hồ sơ.",
    "Người nộp nộp nhầm thủ tục, xin rút để nộp lại đúng thủ tục.",
)
REFUSAL_REASONS = (
    "Nội dung đề nghị thuộc thẩm quyền giải quyết của Sở Văn hóa, Thể thao và Du lịch.",
    "Địa điểm kinh doanh nằm trong khu vực không được phép theo quy định.",
    "Người nộp không có văn bản ủy quyền hợp lệ của tổ chức.",
)
GUIDANCE_REASON = "Hồ sơ chưa đầy đủ, chưa hợp lệ theo thành phần hồ sơ đã công bố."
# Explanations of late dossiers (plan 645 V.4): reason category, what happened, the remedy.
EXPLANATIONS = (
    (
        ExplanationReason.WAITING_OTHER_AGENCY,
        "Hồ sơ phải lấy ý kiến Công an phường về bảo đảm an ninh, trật tự; văn bản trả lời "
        "đến sau ngày hẹn trả kết quả.",
        "Gửi văn bản xin ý kiến ngay trong ngày nhận hồ sơ và theo dõi, đôn đốc hằng ngày.",
    ),
    (
        ExplanationReason.COMPLEX_CASE,
        "Phải kiểm tra thực tế địa điểm kinh doanh; đoàn kiểm tra liên ngành lùi lịch hai ngày.",
        "Đăng ký lịch kiểm tra thực tế ngay khi nhận hồ sơ, bố trí lịch dự phòng.",
    ),
    (
        ExplanationReason.WORKLOAD,
        "Trong tuần tiếp nhận nhiều hồ sơ cấp phép karaoke cùng lúc, chuyên viên không kịp "
        "thẩm định.",
        "Đề nghị lãnh đạo phân công thêm một chuyên viên hỗ trợ vào các tuần cao điểm.",
    ),
    (
        ExplanationReason.STAFF_ABSENCE,
        "Chuyên viên thụ lý đi học tập trung, chưa bàn giao hồ sơ cho người thay thế.",
        "Bàn giao toàn bộ hồ sơ đang giải quyết trước khi nghỉ phép, đi học, đi công tác.",
    ),
)
DEMO_RETURN_NOTE = "Đề nghị nêu rõ ngày gửi văn bản và ngày nhận ý kiến trả lời."
ASSIGN_NOTES = ("", "", "Đề nghị thẩm định, kiểm tra thực tế nếu cần.", "Hồ sơ ưu tiên.")

# How often each demo procedure is filed (karaoke and game points dominate at a city desk).
PROCEDURE_WEIGHTS = {
    "1.001029": 12,
    "1.000963": 6,
    "2.001885": 10,
    "2.001884": 4,
    "2.001880": 6,
    "2.001786": 3,
    "1.003645": 3,
    "1.003622": 3,
    "1.008899": 2,
    "1.008900": 1,
    "1.012781": 4,
    "1.012782": 2,
}

# (kind, how many). Returned and resolved dossiers carry a timeliness target.
PLAN = (
    ("returned-early", 37),
    ("returned-on-time", 18),
    ("returned-late", 5),
    ("returned-late-rescheduled", 2),
    ("returned-late-two-supplements", 1),
    ("resolved-with-paper", 6),
    ("resolved-without-paper", 4),
    ("processing", 8),
    ("accepted", 3),
    ("overdue", 5),
    ("due-soon", 5),
    ("supplement", 4),
    ("payment", 3),
    ("rescheduled", 3),
    ("stopped", 5),
    ("withdrawn", 5),
    ("refused", 6),
)
GUIDANCE_COUNT = 8


@dataclass(frozen=True)
class _Registration:
    """What a scenario asks for first: a dossier of `procedure` received (or refused) then."""

    procedure: Procedure
    received_at: datetime
    refuse: bool = False


class _Demo:
    """Builds the plan; every action runs at its own moment through `self.at`."""

    def __init__(self, *, agency, now: datetime, calendar: WorkingCalendar, traveller):
        self.agency = agency
        self.now = now
        self.cal = calendar
        self.traveller = traveller
        self.rng = random.Random(DEMO_SEED)  # noqa: S311 - reproducible demo data, not secrets
        users = User.objects.filter(
            username__in=[DESK_USERNAME, SPECIALIST_USERNAME, LEADER_USERNAME],
            department__agency=agency,
        ).in_bulk(field_name="username")
        if len(users) < 3:
            raise ValueError(f"The demo staff of {agency.code} are missing: run accounts.demo.")
        self.desk = users[DESK_USERNAME]
        self.specialist = users[SPECIALIST_USERNAME]
        self.leader = users[LEADER_USERNAME]
        self.procedures = list(
            Procedure.objects.filter(agency=agency, status=ProcedureStatus.PUBLISHED)
            .prefetch_related("components")
            .order_by("code")
        )
        self.weights = [PROCEDURE_WEIGHTS.get(p.code, 3) for p in self.procedures]
        self.fee_procedures = [p for p in self.procedures if p.has_fee] or self.procedures
        self.working_day_procedures = [
            p for p in self.procedures if p.processing_time_unit == TimeUnit.WORKING_DAYS
        ] or self.procedures
        local_now = timezone.localtime(now, self.cal.tz)
        self.today = local_now.date()
        self.horizon = self._last_office_moment(local_now)
        self.last_day = timezone.localtime(self.horizon, self.cal.tz).date()

    # -- time ------------------------------------------------------------------------------
    def _last_office_moment(self, local_now: datetime) -> datetime:
        """The latest moment <= now inside office hours (actions never happen at night)."""
        day = local_now.date()
        while True:
            if self.cal.is_working_day(day):
                for opens, closes in reversed(self.cal.office_hours):
                    start = datetime.combine(day, opens, tzinfo=self.cal.tz)
                    end = datetime.combine(day, closes, tzinfo=self.cal.tz)
                    if start < local_now:
                        return min(end, local_now) - timedelta(minutes=1)
            day -= timedelta(days=1)

    def shift(self, day: date, n: int) -> date:
        """The n-th working day after (n > 0) or before (n < 0) `day`."""
        while n > 0:
            day = self.cal.next_working_day(day)
            n -= 1
        while n < 0:
            day -= timedelta(days=1)
            if self.cal.is_working_day(day):
                n += 1
        return day

    def moment(self, day: date, lo: int = 10, hi: int = 460) -> datetime:
        """A moment `lo`..`hi` office minutes into working day `day`."""
        midnight = datetime.combine(day, time.min, tzinfo=self.cal.tz)
        return self.cal.add_working_minutes(midnight, self.rng.randint(lo, hi))

    def after(self, moment: datetime, lo: int, hi: int) -> datetime:
        """`lo`..`hi` office minutes after `moment`."""
        return self.cal.add_working_minutes(moment, self.rng.randint(lo, hi))

    def day_of(self, moment: datetime) -> date:
        return timezone.localtime(moment, self.cal.tz).date()

    def at(self, moment: datetime, function, **kwargs):
        """Run a service as if it were `moment`; never later than the last office moment."""
        moment = min(moment, self.horizon)
        self.traveller.move_to(moment)
        return function(**kwargs)

    # -- pieces ----------------------------------------------------------------------------
    def procedure(self, *, fee: bool = False, working_days: bool = False) -> Procedure:
        if fee:
            return self.rng.choice(self.fee_procedures)
        if working_days:
            return self.rng.choice(self.working_day_procedures)
        return self.rng.choices(self.procedures, weights=self.weights)[0]

    def channel(self, procedure: Procedure) -> str:
        roll = self.rng.random()
        if roll < 0.22 and procedure.online_level != OnlineLevel.NONE:
            return SubmissionChannel.ONLINE
        if roll > 0.92:
            return SubmissionChannel.POSTAL
        return SubmissionChannel.IN_PERSON

    def applicant(self, procedure: Procedure) -> services.ApplicantData:
        fake = fake_applicant(self.rng, procedure.code)
        return services.ApplicantData(
            name=fake.name,
            phone=fake.phone,
            address=fake.address,
            applicant_type=fake.applicant_type,
            organisation_name=fake.organisation_name,
            id_number=fake.id_number,
            email=fake.email,
            consent_sms=fake.consent_sms,
            consent_email=fake.consent_email,
        )

    def documents(self, procedure: Procedure) -> list[services.DocumentData]:
        documents = [
            services.DocumentData(
                name=c.name,
                kind=DocumentKind.ORIGINAL if c.original_count else DocumentKind.COPY,
                quantity=max(1, c.original_count + c.copy_count),
                component_id=c.pk,
            )
            for c in procedure.components.all()
            if c.is_required or self.rng.random() < 0.5
        ]
        return documents or [services.DocumentData(name="Đơn đề nghị", kind=DocumentKind.ORIGINAL)]

    def items(self, procedure: Procedure) -> list[str]:
        names = [c.name for c in procedure.components.all()] or ["Đơn đề nghị"]
        picked = self.rng.sample(names, k=min(len(names), self.rng.randint(1, 2)))
        return [f"{name} ({self.rng.choice(SUPPLEMENT_DEFECTS)})" for name in picked]

    def due_for(self, procedure: Procedure, received_at: datetime) -> datetime:
        return self.cal.due_at(
            received_at,
            procedure.processing_time_amount,
            procedure.processing_time_unit,
            cutoff=procedure.receipt_cutoff,
        )

    def received_with_due(self, procedure: Procedure, latest_due_day: date, start: date):
        """The latest receipt on or before `start` whose due day is not after `latest_due_day`."""
        day = start
        for _i in range(120):
            received_at = self.moment(day, 10, 420)
            due_at = self.due_for(procedure, received_at)
            if self.day_of(due_at) <= latest_due_day:
                return received_at
            day = self.shift(day, -1)
        return received_at

    def old_receipt(self, *, min_days_back: int) -> datetime:
        """A receipt on a working day between six months ago and `min_days_back` days ago."""
        day = self.today - timedelta(days=self.rng.randint(min_days_back, 182))
        while not self.cal.is_working_day(day):
            day -= timedelta(days=1)
        return self.moment(day)

    # -- actions ---------------------------------------------------------------------------
    def register(self, request: _Registration) -> Dossier:
        procedure, received_at = request.procedure, min(request.received_at, self.horizon)
        if request.refuse:
            dossier = self.at(
                received_at,
                services.dossier_refuse_at_intake,
                procedure=procedure,
                applicant=self.applicant(procedure),
                reason=self.rng.choice(REFUSAL_REASONS),
                user=self.desk,
                channel=self.channel(procedure),
            )
            dossier.note = DEMO_NOTE  # the refusal service takes no note; mark it as demo data
            dossier.save(update_fields=["note"])
            return dossier
        note = DEMO_NOTE
        if self.rng.random() < 0.15:
            note += " Người nộp đăng ký nhận kết quả qua dịch vụ bưu chính công ích."
        return self.at(
            received_at,
            services.dossier_register,
            procedure=procedure,
            applicant=self.applicant(procedure),
            documents=self.documents(procedure),
            user=self.desk,
            channel=self.channel(procedure),
            received_at=received_at,
            set_count=1 if self.rng.random() < 0.9 else 2,
            note=note,
            calendar=self.cal,
        )

    def assign(self, dossier: Dossier, received_at: datetime) -> datetime:
        """Desk hands over to the specialist, sometimes through the office head."""
        moment = self.after(received_at, 15, 180)
        if self.rng.random() < 0.3:
            self.at(
                moment,
                services.dossier_assign,
                dossier=dossier,
                handler=self.leader,
                user=self.desk,
            )
            moment = self.after(moment, 30, 300)
            self.at(
                moment,
                services.dossier_assign,
                dossier=dossier,
                handler=self.specialist,
                user=self.leader,
                note=self.rng.choice(ASSIGN_NOTES),
            )
        else:
            self.at(
                moment,
                services.dossier_assign,
                dossier=dossier,
                handler=self.specialist,
                user=self.desk,
                note=self.rng.choice(ASSIGN_NOTES),
            )
        return moment

    def pause(self, dossier: Dossier, procedure: Procedure, moment: datetime, kind: str):
        supplement = kind == PauseKind.SUPPLEMENT
        legal_basis = procedure.legal_basis.strip().splitlines()
        self.at(
            moment,
            services.dossier_request_supplement,
            dossier=dossier,
            user=self.specialist,
            items=self.items(procedure) if supplement else [],
            reason=self.rng.choice(SUPPLEMENT_REASONS) if supplement else PAYMENT_REASON,
            legal_basis=legal_basis[0].lstrip("- ")[:500] if legal_basis else "",
            kind=kind,
        )

    def resume(self, dossier: Dossier, moment: datetime):
        self.at(
            moment,
            services.dossier_resume,
            dossier=dossier,
            user=self.desk,
            note="Người nộp đã bổ sung, hoàn thiện đầy đủ.",
        )

    def reschedule(self, dossier: Dossier, cursor: datetime) -> datetime | None:
        """Apologise on the working day before the due day; the new date 2-4 working days on."""
        dossier.refresh_from_db()
        due_day = self.day_of(dossier.due_at)
        day = self.shift(due_day, -1)
        moment = max(self.moment(day, 10, 200), self.after(cursor, 20, 60))
        if self.day_of(moment) > day:
            return None
        new_due_at = self.cal.end_of_day(self.shift(due_day, self.rng.randint(2, 4)))
        self.at(
            moment,
            services.dossier_reschedule,
            dossier=dossier,
            user=self.specialist,
            reason=self.rng.choice(RESCHEDULE_REASONS),
            new_due_at=new_due_at,
            signed_by=str(self.leader),
        )
        return moment

    def resolve_moment(self, dossier: Dossier, cursor: datetime, timeliness: str) -> datetime:
        dossier.refresh_from_db()
        due_day = self.day_of(dossier.due_at)
        soonest = self.after(cursor, 30, 240)
        if timeliness == Timeliness.EARLY:
            day = self.shift(due_day, -self.rng.randint(1, 3))
        elif timeliness == Timeliness.ON_TIME:
            day = due_day
        else:
            day = self.shift(due_day, self.rng.randint(1, 2))
        moment = max(self.moment(day, 30, 450), soonest)
        if timeliness == Timeliness.ON_TIME and moment > dossier.due_at:
            moment = soonest
        return moment

    def resolve(self, dossier: Dossier, moment: datetime):
        number = self.rng.randint(10, 480)
        self.at(
            moment,
            services.dossier_resolve,
            dossier=dossier,
            user=self.specialist,
            result_summary=f"Đã ký văn bản kết quả số {number}/{self.day_of(moment):%Y}.",
        )

    def hand_back(self, dossier: Dossier, resolved_at: datetime, *, paper: bool, collect: bool):
        moment = resolved_at
        if paper:
            moment = self.after(moment, 30, 600)
            self.at(moment, services.dossier_record_paper_result, dossier=dossier, user=self.desk)
        if collect:
            moment = self.after(moment, 60, 1900)
            self.at(moment, services.dossier_return_result, dossier=dossier, user=self.desk)

    # -- scenarios: generators that ask for their registration, then act ------------------
    def returned(self, kind: str):
        timeliness = {
            "returned-early": Timeliness.EARLY,
            "returned-on-time": Timeliness.ON_TIME,
        }.get(kind, Timeliness.LATE)
        roll = self.rng.random()
        pause = None
        if kind == "returned-late-two-supplements":
            pause = "two"
        elif roll < 0.18:
            pause = PauseKind.SUPPLEMENT
        elif roll < 0.26:
            pause = PauseKind.PAYMENT
        procedure = self.procedure(fee=pause == PauseKind.PAYMENT)
        received_at = self.old_receipt(min_days_back=55 if pause else 35)
        dossier = yield _Registration(procedure, received_at)
        cursor = self.assign(dossier, received_at)
        pause_kind = PauseKind.PAYMENT if pause == PauseKind.PAYMENT else PauseKind.SUPPLEMENT
        for round_ in range(2 if pause == "two" else (1 if pause else 0)):
            cursor = self.after(cursor, 120, 900)
            self.pause(dossier, procedure, cursor, pause_kind)
            cursor = self.after(cursor, 480 if round_ == 0 else 240, 1900)
            self.resume(dossier, cursor)
        if kind == "returned-late-rescheduled":
            cursor = self.reschedule(dossier, cursor) or cursor
        resolved_at = self.resolve_moment(dossier, cursor, timeliness)
        self.resolve(dossier, resolved_at)
        self.hand_back(dossier, resolved_at, paper=self.rng.random() < 0.85, collect=True)

    def resolved(self, kind: str):
        """Result ready in the last few working days, not collected yet."""
        procedure = self.procedure()
        resolve_day = self.shift(self.last_day, -self.rng.randint(0, 4))
        early = self.rng.random() < 0.6
        latest_due = self.shift(resolve_day, self.rng.randint(1, 2)) if early else resolve_day
        received_at = self.received_with_due(procedure, latest_due, self.shift(resolve_day, -2))
        dossier = yield _Registration(procedure, received_at)
        cursor = self.assign(dossier, received_at)
        dossier.refresh_from_db()
        if early and resolve_day < self.day_of(dossier.due_at):
            resolved_at = max(self.moment(resolve_day, 30, 400), self.after(cursor, 30, 240))
        else:
            resolved_at = self.resolve_moment(dossier, cursor, Timeliness.ON_TIME)
        self.resolve(dossier, resolved_at)
        self.hand_back(dossier, resolved_at, paper=kind == "resolved-with-paper", collect=False)

    def open_dossier(self, kind: str):
        if kind in ("overdue", "due-soon"):
            procedure = self.procedure(working_days=True)
        else:
            procedure = self.procedure(fee=kind == "payment")
        if kind == "accepted":  # received on the last working day, not handed over yet
            yield _Registration(procedure, self.moment(self.last_day, 10, 200))
            return
        if kind == "overdue":
            latest_due = self.shift(self.last_day, -self.rng.randint(1, 5))
            received_at = self.received_with_due(procedure, latest_due, self.shift(latest_due, -3))
        elif kind == "due-soon":
            # Due by the end of the next working day (the amber light, DOMAIN.md §3.5).
            latest_due = self.cal.next_working_day(self.today)
            received_at = self.received_with_due(procedure, latest_due, self.shift(latest_due, -3))
        elif kind == "rescheduled":
            latest_due = self.shift(self.last_day, self.rng.randint(-2, 1))
            received_at = self.received_with_due(procedure, latest_due, self.shift(latest_due, -3))
        else:  # processing, supplement, payment: received in the last three working days
            received_at = self.moment(self.shift(self.last_day, -self.rng.randint(1, 3)))
        dossier = yield _Registration(procedure, received_at)
        cursor = self.assign(dossier, received_at)
        if kind in ("supplement", "payment"):
            pause_kind = PauseKind.SUPPLEMENT if kind == "supplement" else PauseKind.PAYMENT
            self.pause(dossier, procedure, self.after(cursor, 60, 480), pause_kind)
        elif kind == "rescheduled":
            self.reschedule(dossier, cursor)

    def ended(self, kind: str):
        procedure = self.procedure()
        received_at = self.old_receipt(min_days_back=20)
        if kind == "refused":
            yield _Registration(procedure, received_at, refuse=True)
            return
        dossier = yield _Registration(procedure, received_at)
        cursor = received_at
        stage = self.rng.random()
        if kind == "stopped" or stage < 0.7:
            cursor = self.assign(dossier, received_at)
            if stage < 0.4:  # asked for documents that never came
                cursor = self.after(cursor, 120, 900)
                self.pause(dossier, procedure, cursor, PauseKind.SUPPLEMENT)
        cursor = self.after(cursor, 240, 2400)
        if kind == "stopped":
            self.at(
                cursor,
                services.dossier_stop,
                dossier=dossier,
                user=self.specialist,
                reason=self.rng.choice(STOP_REASONS),
            )
        else:
            self.at(
                cursor,
                services.dossier_withdraw,
                dossier=dossier,
                user=self.desk,
                reason=self.rng.choice(WITHDRAW_REASONS),
            )

    def guidance(self, moment: datetime):
        procedure = self.procedure()
        fake = fake_applicant(self.rng, procedure.code)
        self.at(
            moment,
            services.intake_guidance_issue,
            procedure=procedure,
            applicant_name=fake.name,
            items=self.items(procedure),
            reason=GUIDANCE_REASON,
            user=self.desk,
            applicant_phone=fake.phone,
            applicant_address=fake.address,
        )

    def run(self) -> int:
        """Plan every scenario, register in order of receipt (so the daily numbers follow the
        clock), then play each scenario to its end. Returns the number of dossiers."""
        scenarios = []
        for kind, count in PLAN:
            for _i in range(count):
                if kind.startswith("returned"):
                    scenarios.append(self.returned(kind))
                elif kind.startswith("resolved"):
                    scenarios.append(self.resolved(kind))
                elif kind in ("stopped", "withdrawn", "refused"):
                    scenarios.append(self.ended(kind))
                else:
                    scenarios.append(self.open_dossier(kind))
        requests = [(next(scenario), scenario) for scenario in scenarios]
        requests.sort(key=lambda pair: pair[0].received_at)
        registered = [(self.register(request), scenario) for request, scenario in requests]
        for dossier, scenario in registered:
            with contextlib.suppress(StopIteration):
                scenario.send(dossier)
        moments = sorted(self.old_receipt(min_days_back=1) for _i in range(GUIDANCE_COUNT))
        for moment in moments:
            self.guidance(moment)
        self.explanations()
        return len(registered)

    # -- explanations of late dossiers (giải trình) -----------------------------------------
    def morning_after(self, moment: datetime) -> datetime:
        """07:30 of the working day after `moment`: when the morning job would have asked."""
        day = self.cal.next_working_day(self.day_of(moment))
        return min(datetime.combine(day, time(7, 30), tzinfo=self.cal.tz), self.horizon)

    def explanations(self) -> None:
        """Ask for explanations as the morning job would have (the morning after a dossier
        finished late or passed its due date), then play the review cycle through the
        services: older ones accepted (some after a return), recent ones submitted, returned
        or still to write."""
        dossiers = Dossier.objects.filter(agency=self.agency, note__startswith=DEMO_NOTE)
        late = dossiers.filter(timeliness=Timeliness.LATE, finished_at__isnull=False)
        overdue = dossiers.overdue(self.horizon)
        mornings = {self.morning_after(d.finished_at) for d in late}
        mornings |= {self.morning_after(d.due_at) for d in overdue}
        for morning in sorted(mornings):
            self.at(
                morning,
                services.explanation_request_overdue,
                agency_id=self.agency.pk,
                now=morning,
            )
        explanations = list(
            DossierExplanation.objects.filter(dossier__in=dossiers)
            .select_related("officer")
            .order_by("requested_at", "id")
        )
        recent_since = self.cal.end_of_day(self.shift(self.last_day, -3))
        recent = [e for e in explanations if e.requested_at > recent_since]
        older = [e for e in explanations if e.requested_at <= recent_since]
        for index, explanation in enumerate(older):
            self.play_explanation(explanation, returned_first=index % 3 == 0, accept=True)
        for index, explanation in enumerate(recent[:2]):
            self.play_explanation(explanation, returned_first=index == 1, accept=False)

    def play_explanation(self, explanation, *, returned_first: bool, accept: bool) -> None:
        """The officer writes it; with `returned_first` the leader returns it (and, with
        `accept`, the officer corrects it); with `accept` the leader accepts it. Stops early
        rather than act after the demo's `now`."""
        reason, text, remedy = self.rng.choice(EXPLANATIONS)
        steps = [("submit", text)]
        if returned_first:
            steps.append(("return", None))
            if accept:  # corrected, then accepted; otherwise it waits for the officer
                steps.append(("submit", f"{text} Văn bản trả lời số 15/CAP ngày hôm sau."))
        if accept:
            steps.append(("accept", None))
        if explanation.officer_id == self.leader.pk:  # nobody reviews their own
            steps = steps[:1]
        moment = explanation.requested_at
        for action, body in steps:
            moment = self.after(moment, 60, 420)
            if moment > self.horizon:
                return
            if action == "submit":
                self.at(
                    moment,
                    services.explanation_submit,
                    explanation=explanation,
                    user=explanation.officer,
                    reason_category=reason,
                    text=body,
                    remedy=remedy,
                )
            elif action == "return":
                self.at(
                    moment,
                    services.explanation_return,
                    explanation=explanation,
                    user=self.leader,
                    note=DEMO_RETURN_NOTE,
                )
            else:
                self.at(
                    moment, services.explanation_accept, explanation=explanation, user=self.leader
                )


def has_demo_dossiers(agency) -> bool:
    return Dossier.objects.filter(agency=agency, note__startswith=DEMO_NOTE).exists()


def seed(*, agency, now: datetime | None = None) -> int:
    """Add the demo dossiers of `agency` (its published procedures, the demo staff); return how
    many dossiers were created, 0 if the agency already has demo dossiers or no procedures.

    Called by `manage.py seed_demo` after the accounts and procedures. `now` (default: the real
    time) is the end of the six months covered. All in one transaction: a failure adds nothing.
    """
    now = now or timezone.now()
    if has_demo_dossiers(agency):
        return 0
    if not Procedure.objects.filter(agency=agency, status=ProcedureStatus.PUBLISHED).exists():
        return 0
    calendar = get_calendar()
    with transaction.atomic(), time_machine.travel(now, tick=False) as traveller:
        return _Demo(agency=agency, now=now, calendar=calendar, traveller=traveller).run()
