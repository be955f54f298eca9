"""A small desk for the dashboard tests, built through the real services at fixed moments.

"Now" is Wednesday 4 March 2026, 10:00 in Nha Trang; this week is Mon 2/3 .. now, last week
Mon 23/2 .. Sun 1/3 (no holiday in either; Tết 2026 ended on 22/2). Procedures take 5 working
days; a dossier received at 09:00 on day D is due at 17:00 five working days later.

dossier, procedure, received, responsible officer, life:

A  karaoke   Mon 23/2 09:00  officer   due Mon 2/3: open, overdue
B  festival  Thu 26/2 09:00  officer   due Thu 5/3: at risk
C  karaoke   Tue 3/3 09:00   desk      due Tue 10/3: not assigned, on track
D  karaoke   Tue 24/2 09:00  officer2  resolved Tue 3/3 15:00 (on time), returned
E  festival  Mon 2/3 08:00   officer2  supplement requested Tue 3/3 09:00: paused
F  karaoke   Wed 4/3 08:00   desk      received online today
G  festival  Fri 27/2 09:00  officer   resolved today 09:00 with an e-result: early
H  karaoke   Thu 26/2 10:00  officer2  due Thu 5/3, apology on 3/3 (new date 9/3)
I  festival  Wed 25/2 09:00  officer   due today 17:00
X  another agency's dossier, received today (never shown)
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.base import ContentFile

from accounts.constants import Role
from accounts.tests.factories import AgencyFactory
from dossiers import services
from dossiers.tests.factories import published_procedure, staff
from procedures.constants import SubmissionChannel

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 3, 4, 10, 0, tzinfo=VN)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=VN)


def receive(procedure, desk, received_at, *, name, channel=SubmissionChannel.IN_PERSON):
    with time_machine.travel(received_at, tick=False):
        return services.dossier_register(
            procedure=procedure,
            applicant=services.ApplicantData(
                name=name, phone="0905 123 456", address="12 Lê Thánh Tôn, Nha Trang"
            ),
            documents=[services.DocumentData(name="Đơn đề nghị")],
            user=desk,
            received_at=received_at,
            channel=channel,
        )


def assign(dossier, handler, desk, moment):
    with time_machine.travel(moment, tick=False):
        services.dossier_assign(dossier=dossier, handler=handler, user=desk)
    dossier.refresh_from_db()


def build_desk(agency) -> dict:
    """The dossiers of the module docstring, with the people and procedures behind them."""
    karaoke = published_procedure(agency, name="Cấp giấy phép kinh doanh dịch vụ karaoke")
    festival = published_procedure(agency, name="Đăng ký tổ chức lễ hội")
    desk = staff(agency, Role.DESK_OFFICER, first_name="Lan", last_name="Trần Thị")
    officer = staff(agency, Role.SPECIALIST, first_name="Bình", last_name="Lê Văn")
    officer2 = staff(agency, Role.SPECIALIST, first_name="Cúc", last_name="Phạm Thị")
    boss = staff(agency, Role.LEADER, first_name="Dũng", last_name="Nguyễn Văn")

    a = receive(karaoke, desk, at(2026, 2, 23, 9), name="Lê Văn Quá")
    assign(a, officer, desk, at(2026, 2, 23, 10))
    b = receive(festival, desk, at(2026, 2, 26, 9), name="Phạm Thị Sắp")
    assign(b, officer, desk, at(2026, 2, 26, 10))
    c = receive(karaoke, desk, at(2026, 3, 3, 9), name="Võ Xanh")
    d = receive(karaoke, desk, at(2026, 2, 24, 9), name="Đỗ Đúng")
    assign(d, officer2, desk, at(2026, 2, 24, 10))
    with time_machine.travel(at(2026, 3, 3, 15), tick=False):
        services.dossier_resolve(dossier=d, user=officer2, result_summary="Đã cấp")
    with time_machine.travel(at(2026, 3, 3, 16), tick=False):
        services.dossier_return_result(dossier=d, user=desk)
    e = receive(festival, desk, at(2026, 3, 2, 8), name="Hồ Chờ")
    assign(e, officer2, desk, at(2026, 3, 2, 9))
    with time_machine.travel(at(2026, 3, 3, 9), tick=False):
        services.dossier_request_supplement(
            dossier=e,
            user=officer2,
            items=["Bản sao quyết định công nhận di tích"],
            reason="Thiếu văn bản chấp thuận của UBND phường",
        )
    f = receive(
        karaoke, desk, at(2026, 3, 4, 8), name="Mai Trực Tuyến", channel=SubmissionChannel.ONLINE
    )
    g = receive(festival, desk, at(2026, 2, 27, 9), name="Trương Sớm")
    assign(g, officer, desk, at(2026, 2, 27, 10))
    with time_machine.travel(at(2026, 3, 4, 9), tick=False):
        services.dossier_resolve(
            dossier=g,
            user=officer,
            result_summary="Đã chấp thuận",
            result_file=ContentFile(b"%PDF-1.4 result", name="ket-qua.pdf"),
        )
    h = receive(karaoke, desk, at(2026, 2, 26, 10), name="Ngô Hẹn Lại")
    assign(h, officer2, desk, at(2026, 2, 26, 11))
    with time_machine.travel(at(2026, 3, 3, 10), tick=False):
        services.dossier_reschedule(
            dossier=h, user=officer2, reason="Cần xác minh thực tế", new_due_at=at(2026, 3, 9, 17)
        )
    i = receive(festival, desk, at(2026, 2, 25, 9), name="Đinh Hôm Nay")
    assign(i, officer, desk, at(2026, 2, 25, 10))

    other_agency = AgencyFactory(code="000.00.21.H32", name="Phòng khác")
    other_procedure = published_procedure(other_agency, name="Thủ tục của cơ quan khác")
    other_desk = staff(other_agency, Role.DESK_OFFICER)
    x = receive(other_procedure, other_desk, at(2026, 3, 4, 8, 30), name="Người Ngoài")
    for dossier in (a, b, c, d, e, f, g, h, i, x):
        dossier.refresh_from_db()
    return {
        "karaoke": karaoke,
        "festival": festival,
        "desk": desk,
        "officer": officer,
        "officer2": officer2,
        "boss": boss,
        "other_procedure": other_procedure,
        **dict(zip("ABCDEFGHIX", (a, b, c, d, e, f, g, h, i, x), strict=True)),
    }
