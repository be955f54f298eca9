"""Reads with rules: the list (visibility, urgency, filters), the page, choices."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.constants import Role
from accounts.tests.factories import AgencyFactory, UserFactory
from dossiers import selectors, services
from dossiers.constants import TrafficLight
from dossiers.permissions import DossierNotFound
from dossiers.rules import Slip
from dossiers.tests.factories import applicant, published_procedure, register_dossier, staff
from procedures.tests.factories import ProcedureFactory

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def at(*args):
    return datetime(*args, tzinfo=VN)


# --- urgency ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("now", "amber_until"),
    [
        (at(2026, 3, 4, 10), at(2026, 3, 5, 17)),  # Wed -> end of Thu
        (at(2026, 3, 6, 10), at(2026, 3, 9, 17)),  # Fri -> end of Mon
        (at(2026, 3, 7, 10), at(2026, 3, 9, 17)),  # Sat -> end of Mon
        (at(2026, 2, 13, 10), at(2026, 2, 23, 17)),  # Fri before Tết 16-20/2 -> Mon 23/2
    ],
)
def test_amber_lasts_until_the_end_of_the_next_working_day(now, amber_until):
    assert selectors.urgency_thresholds(now=now).amber_until == amber_until


def test_list_orders_by_urgency_and_annotates_it(procedure, desk):
    now = at(2026, 3, 4, 10)
    green = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 3, 3, 9))
    red = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 2, 23, 9))
    amber = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 2, 26, 9))
    refused = services.dossier_refuse_at_intake(
        procedure=procedure, applicant=applicant(), reason="Sai thẩm quyền", user=desk
    )
    rows = list(selectors.dossier_list(user=desk, filters={}, now=now))
    assert [r.pk for r in rows] == [red.pk, amber.pk, green.pk]
    assert [selectors.URGENCY_LIGHTS.get(r.urgency) for r in rows] == [
        TrafficLight.RED,
        TrafficLight.AMBER,
        TrafficLight.GREEN,
    ]
    everything = selectors.dossier_list(user=desk, filters={"status": "all"}, now=now)
    assert [r.pk for r in everything] == [refused.pk, green.pk, amber.pk, red.pk]
    assert selectors.dossier_counts(everything) == {
        "total": 4,
        "open": 3,
        "overdue": 1,
        "due_soon": 1,
    }


def test_list_ignores_an_invalid_value_but_keeps_the_others(procedure, desk):
    now = at(2026, 3, 4, 10)
    register_dossier(procedure=procedure, user=desk, received_at=at(2026, 2, 23, 9))
    register_dossier(procedure=procedure, user=desk, received_at=at(2026, 3, 3, 9))
    rows = selectors.dossier_list(
        user=desk, filters={"overdue": "1", "due_within": "soon"}, now=now
    )
    assert rows.count() == 1


def test_list_for_a_specialist_counts_each_dossier_once(procedure, desk, officer, boss):
    dossier = register_dossier(procedure=procedure, user=desk)
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    services.dossier_assign(
        dossier=dossier, handler=staff(procedure.agency, Role.SPECIALIST), user=boss
    )
    services.dossier_assign(dossier=dossier, handler=officer, user=boss)  # two transfers to them
    rows = selectors.dossier_list(user=officer, filters={})
    assert [r.pk for r in rows] == [dossier.pk]
    assert selectors.dossier_counts(rows)["total"] == 1


def test_list_is_empty_without_the_view_permission(procedure, desk):
    register_dossier(procedure=procedure, user=desk)
    nobody = UserFactory(department__agency=procedure.agency)
    assert list(selectors.dossier_list(user=nobody, filters={})) == []


# --- one dossier -----------------------------------------------------------------------------
def test_detail_is_not_found_for_missing_and_forbidden_alike(procedure, desk):
    dossier = register_dossier(procedure=procedure, user=desk)
    assert selectors.dossier_detail(user=desk, code=dossier.code) == dossier
    other = staff(AgencyFactory(code="000.00.21.H32"), Role.DESK_OFFICER)
    with pytest.raises(DossierNotFound):
        selectors.dossier_detail(user=other, code=dossier.code)
    with pytest.raises(DossierNotFound):
        selectors.dossier_detail(user=desk, code="nope")
    with pytest.raises(DossierNotFound):
        selectors.dossier_for_action(
            user=staff(procedure.agency, Role.SPECIALIST), code=dossier.code
        )


def test_overview_measures_pauses_and_flags(procedure, desk, officer):
    dossier = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 3, 2, 9))
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    with time_machine.travel(at(2026, 3, 3, 9), tick=False):
        services.dossier_request_supplement(
            dossier=dossier, user=officer, items=["Bản sao"], reason="Thiếu"
        )
    with time_machine.travel(at(2026, 3, 4, 9), tick=False):  # one working day later
        services.dossier_resume(dossier=dossier, user=desk)
    with time_machine.travel(at(2026, 3, 4, 13, 30), tick=False):
        services.dossier_request_supplement(
            dossier=dossier, user=officer, items=["Sơ đồ"], reason="Thiếu sơ đồ"
        )
    loaded = selectors.dossier_detail(user=desk, code=dossier.code)
    overview = selectors.dossier_overview(loaded, now=at(2026, 3, 5, 13, 30))  # 1 WD paused
    assert [(row.working_days, row.is_open) for row in overview.pauses] == [
        (1.0, False),
        (1.0, True),
    ]
    assert loaded.has_multiple_supplements
    assert [slip for slip, _label in overview.slips] == [
        Slip.RECEIPT,
        Slip.SUPPLEMENT,
        Slip.CONTROL,
    ]
    assert overview.clock.is_paused


def test_apology_warning_goes_away_once_the_apology_is_issued(procedure, desk, officer):
    dossier = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 3, 2, 9))
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    friday = at(2026, 3, 6, 10)  # due Mon 9/3 17:00
    loaded = selectors.dossier_detail(user=desk, code=dossier.code)
    assert selectors.dossier_overview(loaded, now=friday).needs_apology_warning
    assert not selectors.dossier_overview(loaded, now=at(2026, 3, 4, 10)).needs_apology_warning
    with time_machine.travel(friday, tick=False):
        services.dossier_reschedule(
            dossier=dossier, user=officer, reason="Chờ xác minh", new_due_at=at(2026, 3, 13, 17)
        )
    loaded = selectors.dossier_detail(user=desk, code=dossier.code)
    overview = selectors.dossier_overview(loaded, now=friday)
    assert not overview.needs_apology_warning
    assert not overview.can_reschedule_again
    assert Slip.APOLOGY in [slip for slip, _label in overview.slips]


# --- choices ---------------------------------------------------------------------------------
def test_assignable_officers_are_active_staff_of_the_agency_who_may_process(agency, officer, boss):
    desk_officer = staff(agency, Role.DESK_OFFICER)
    retired = staff(agency, Role.SPECIALIST, is_active=False)
    direct = UserFactory(department__agency=agency)
    direct.user_permissions.add(Permission.objects.get(codename="process_dossier"))
    staff(AgencyFactory(code="000.00.21.H32"), Role.SPECIALIST)
    found = set(selectors.assignable_officers(agency_id=agency.pk))
    assert found == {officer, boss, direct}
    assert desk_officer not in found
    assert retired in set(selectors.assignable_officers(agency_id=agency.pk, active_only=False))


def test_intake_procedures_are_the_desks_published_ones(agency, desk, procedure):
    ProcedureFactory(agency=agency)  # draft
    published_procedure(AgencyFactory(code="000.00.21.H32"))
    assert list(selectors.intake_procedures(user=desk)) == [procedure]
    assert selectors.intake_procedure(user=desk, pk=procedure.pk) == procedure
    assert selectors.intake_procedure(user=desk, pk="x") is None
    assert selectors.intake_procedure(user=desk, pk=2**70) is None


def test_attachment_download_needs_permission_and_visibility(
    procedure, desk, administrator, tmp_path, settings
):
    from dossiers.models import DossierAttachment

    storage = DossierAttachment._meta.get_field("file").storage
    saved = storage._location
    storage._location = str(tmp_path)
    storage.__dict__.pop("base_location", None)
    storage.__dict__.pop("location", None)
    try:
        dossier = register_dossier(procedure=procedure, user=desk)
        attachment = services.dossier_attach(
            dossier=dossier,
            user=desk,
            uploaded_file=SimpleUploadedFile("a.pdf", b"%PDF-1.4 x", "application/pdf"),
        )
        assert selectors.attachment_for_download(user=desk, pk=attachment.pk) == attachment
        assert selectors.attachment_for_download(user=administrator, pk=attachment.pk) is None
        other = staff(AgencyFactory(code="000.00.21.H32"), Role.DESK_OFFICER)
        assert selectors.attachment_for_download(user=other, pk=attachment.pk) is None
    finally:
        storage._location = saved
        storage.__dict__.pop("base_location", None)
        storage.__dict__.pop("location", None)


def test_thresholds_follow_the_administrators_calendar_overrides(procedure, desk):
    from core.models import CalendarOverride

    CalendarOverride.objects.create(
        day=at(2026, 3, 5).date(), kind=CalendarOverride.Kind.DAY_OFF, name="Nghỉ bù"
    )
    wednesday = at(2026, 3, 4, 10)
    assert selectors.urgency_thresholds(now=wednesday).amber_until == at(2026, 3, 6, 17)
    # "Due within 1 working day" in the list uses the same calendar.
    dossier = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 2, 26, 9))
    assert dossier.due_at == at(2026, 3, 6, 17)  # Thu 5/3 skipped
    rows = selectors.dossier_list(user=desk, filters={"due_within": "1"}, now=wednesday)
    assert [r.pk for r in rows] == [dossier.pk]
    rows = selectors.dossier_list(user=desk, filters={"due_within": "0"}, now=wednesday)
    assert list(rows) == []


def test_a_paused_dossier_past_its_due_date_is_not_shown_red(procedure, desk, officer):
    dossier = register_dossier(procedure=procedure, user=desk, received_at=at(2026, 3, 2, 9))
    services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    after_due = selectors.urgency_thresholds(now=at(2026, 3, 12, 9))
    assert selectors.traffic_light(dossier, after_due) == TrafficLight.RED
    services.dossier_request_supplement(dossier=dossier, user=officer, items=["A"], reason="B")
    dossier.refresh_from_db()
    assert selectors.traffic_light(dossier, after_due) == TrafficLight.GREEN
