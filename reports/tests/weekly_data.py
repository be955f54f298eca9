"""A small office's fortnight for the weekly report tests, lived through the real services.

The reported week is Monday 27 April - Sunday 3 May 2026 (27/4, 30/4 and 1/5 are days off);
the week before is 20-26 April. Every procedure takes 3 working days. The report is built on
Monday 4 May 2026 at 07:00, as the beat would.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.constants import Role
from dossiers import services
from dossiers.constants import ExplanationReason
from dossiers.models import DossierExplanation
from dossiers.tests.factories import published_procedure, staff
from procedures.constants import SubmissionChannel

VN = ZoneInfo("Asia/Ho_Chi_Minh")
WEEK = datetime(2026, 4, 27, tzinfo=VN).date()
PREVIOUS_WEEK = datetime(2026, 4, 20, tzinfo=VN).date()
BUILD_AT = datetime(2026, 5, 4, 7, 0, tzinfo=VN)


def at(*args):
    return datetime(*args, tzinfo=VN)


@pytest.fixture
def report_files(settings, tmp_path):
    """Report files go to a temporary directory, not the project's private/ folder."""
    settings.REPORTS_FILE_ROOT = tmp_path / "reports"
    return settings.REPORTS_FILE_ROOT


def receive(office, moment, name, *, procedure=None, channel=SubmissionChannel.IN_PERSON):
    with time_machine.travel(moment, tick=False):
        return services.dossier_register(
            procedure=procedure or office["procedure"],
            applicant=services.ApplicantData(
                name=name, phone="0905 123 456", address="12 Lê Thánh Tôn, Nha Trang"
            ),
            documents=[services.DocumentData(name="Đơn đề nghị")],
            user=office["desk"],
            received_at=moment,
            channel=channel,
        )


def act(moment, service, dossier, **kwargs):
    dossier.refresh_from_db()
    with time_machine.travel(moment, tick=False):
        return service(dossier=dossier, **kwargs)


@pytest.fixture
def office(agency, report_files):
    return make_office(agency)


def make_office(agency) -> dict:
    """Two procedures of 3 working days; a desk officer, two specialists, a leader."""
    return {
        "procedure": published_procedure(
            agency, name="Cấp Giấy phép karaoke", processing_time_amount=Decimal("3")
        ),
        "festival": published_procedure(
            agency, name="Đăng ký tổ chức lễ hội", processing_time_amount=Decimal("3")
        ),
        "desk": staff(agency, Role.DESK_OFFICER, email="motcua@example.gov.vn"),
        "hoa": staff(
            agency, Role.SPECIALIST, first_name="Thị Hoa", last_name="Lê", email="hoa@x.vn"
        ),
        "nam": staff(agency, Role.SPECIALIST, first_name="Văn Nam", last_name="Trần"),
        "boss": staff(
            agency,
            Role.LEADER,
            first_name="Minh",
            last_name="Phạm",
            email="lanhdao@example.gov.vn",
        ),
    }


@pytest.fixture
def fortnight(office):
    return make_fortnight(office)


def make_fortnight(office) -> dict:
    """Dossiers of both weeks; Hoa explained her late dossier before the report was built."""
    hoa, nam, desk = office["hoa"], office["nam"], office["desk"]
    rows = {
        # The week before: one resolved early, one resolved late.
        "prev_early": receive(office, at(2026, 4, 14, 9), "Ngô Văn Sớm"),
        "prev_late": receive(office, at(2026, 4, 14, 10), "Đinh Thị Muộn"),
        # The reported week.
        "late_open": receive(office, at(2026, 4, 20, 9), "Trần Văn Quá"),
        "late_resolved": receive(
            office, at(2026, 4, 20, 10), "Lý Thị Trễ", procedure=office["festival"]
        ),
        "early": receive(office, at(2026, 4, 23, 9), "Đỗ Văn Nhanh"),
        "soon": receive(office, at(2026, 4, 24, 9), "Phạm Thị Sắp"),
        "new": receive(office, at(2026, 4, 29, 9), "Võ Minh Mới", channel=SubmissionChannel.ONLINE),
    }
    act(at(2026, 4, 14, 14), services.dossier_assign, rows["prev_early"], handler=nam, user=desk)
    act(at(2026, 4, 14, 14), services.dossier_assign, rows["prev_late"], handler=nam, user=desk)
    act(at(2026, 4, 16, 9), services.dossier_resolve, rows["prev_early"], user=nam)
    act(at(2026, 4, 21, 9), services.dossier_resolve, rows["prev_late"], user=nam)
    act(at(2026, 4, 20, 14), services.dossier_assign, rows["late_open"], handler=hoa, user=desk)
    act(at(2026, 4, 20, 14), services.dossier_assign, rows["late_resolved"], handler=nam, user=desk)
    act(
        at(2026, 4, 22, 9),
        services.dossier_reschedule,
        rows["late_resolved"],
        user=nam,
        reason="Cần xác minh thực tế",
        new_due_at=at(2026, 5, 8, 17),
    )
    act(at(2026, 4, 23, 14), services.dossier_assign, rows["early"], handler=nam, user=desk)
    act(at(2026, 4, 24, 14), services.dossier_assign, rows["soon"], handler=hoa, user=desk)
    act(at(2026, 4, 28, 9), services.dossier_resolve, rows["early"], user=nam)
    act(at(2026, 4, 29, 10), services.dossier_resolve, rows["late_resolved"], user=nam)
    # The morning job asked Hoa on Tuesday 28/4; she wrote her explanation the same day.
    with time_machine.travel(at(2026, 4, 28, 7, 30), tick=False):
        services.explanation_request_overdue(now=at(2026, 4, 28, 7, 30))
    explanation = DossierExplanation.objects.get(dossier=rows["late_open"])
    with time_machine.travel(at(2026, 4, 28, 15), tick=False):
        services.explanation_submit(
            explanation=explanation,
            user=hoa,
            reason_category=ExplanationReason.WAITING_OTHER_AGENCY,
            text="Chờ ý kiến của Công an phường về an ninh trật tự.",
            remedy="Đã gọi điện đôn đốc, dự kiến có ý kiến ngày 05/5.",
        )
    return rows
