"""The satisfaction index (DOMAIN.md §8.1) and the 766 indicator 5.4 estimate (§8.2), on fixed
data whose every figure was computed by hand.

Survey v1 has six criteria: five with 3 questions and "tiếp nhận phản hồi" with 2 (17 in all).
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth.models import Permission

from accounts.constants import Role
from accounts.tests.factories import AgencyFactory
from dossiers import services as dossier_services
from dossiers.tests.factories import published_procedure, register_dossier, staff
from feedback.tests.factories import make_feedback
from procedures.constants import ProcedureStatus
from satisfaction import selectors
from satisfaction import services as satisfaction_services
from satisfaction.models import Criterion

from .index_data import CODES, active_survey, at, make_response

pytestmark = pytest.mark.django_db

MARCH = (at(2026, 3, 1), at(2026, 4, 1))


def shares(index):
    return {c.code: c.share for c in index.criteria}


def means(index):
    return {c.code: c.mean for c in index.criteria}


@pytest.fixture
def three_responses(agency):
    """R1 all 5; R2 all 4 but "phục vụ công chức" 2, 3, 4; R3 all 3 but "tiếp cận" 5, 5, 1.
    Plus noise that must not count: February, and another office."""
    make_response(agency, at=at(2026, 3, 2, 9))
    make_response(agency, at=at(2026, 3, 10, 15), scores={"*": 4, "phuc_vu_cong_chuc": [2, 3, 4]})
    make_response(
        agency, at=at(2026, 3, 31, 23, 59), scores={"*": 3, "tiep_can_dich_vu": [5, 5, 1]}
    )
    make_response(agency, at=at(2026, 2, 28, 23, 59), scores=1)
    make_response(
        AgencyFactory(code="000.00.99.H32", is_primary=False), at=at(2026, 3, 5), scores=1
    )


def test_index_per_criterion_and_overall_on_a_hand_computed_example(agency, three_responses):
    index = selectors.satisfaction_index(agency_id=agency.pk, start=MARCH[0], end=MARCH[1])

    assert index.response_count == 3
    assert [c.code for c in index.criteria] == CODES
    by_code = {c.code: c for c in index.criteria}
    # tiếp cận: 5,5,5 | 4,4,4 | 5,5,1 -> 8 of 9 answers scored 4-5, mean 38/9.
    assert (
        by_code["tiep_can_dich_vu"].answer_count,
        by_code["tiep_can_dich_vu"].satisfied_count,
    ) == (9, 8)
    assert shares(index)["tiep_can_dich_vu"] == pytest.approx(800 / 9)
    assert means(index)["tiep_can_dich_vu"] == pytest.approx(38 / 9)
    # phục vụ công chức: 5,5,5 | 2,3,4 | 3,3,3 -> 4 of 9, mean 33/9.
    assert shares(index)["phuc_vu_cong_chuc"] == pytest.approx(400 / 9)
    assert means(index)["phuc_vu_cong_chuc"] == pytest.approx(33 / 9)
    # Three criteria of 3 questions at 5 / 4 / 3: 6 of 9; the 2-question one: 4 of 6.
    for code in ("dieu_kien_tiep_don", "thu_tuc_hanh_chinh", "ket_qua_tien_do"):
        assert shares(index)[code] == pytest.approx(200 / 3)
        assert means(index)[code] == pytest.approx(4.0)
    assert by_code["tiep_nhan_phan_hoi"].answer_count == 6
    assert shares(index)["tiep_nhan_phan_hoi"] == pytest.approx(200 / 3)
    # Overall = mean of the six indices = (88.89 + 44.44 + 4 × 66.67) / 6 = 66.67.
    assert index.overall == pytest.approx(200 / 3)
    assert index.answer_count == 51


def test_the_satisfied_threshold_is_a_setting(agency, three_responses, settings):
    settings.SATISFACTION_SATISFIED_MIN_SCORE = 5

    index = selectors.satisfaction_index(agency_id=agency.pk, start=MARCH[0], end=MARCH[1])

    # Only R1's fives, and R3's two fives on "tiếp cận".
    assert shares(index)["tiep_can_dich_vu"] == pytest.approx(500 / 9)
    assert shares(index)["thu_tuc_hanh_chinh"] == pytest.approx(100 / 3)


def test_an_empty_period_has_no_figures_rather_than_zero(agency, three_responses):
    index = selectors.satisfaction_index(
        agency_id=agency.pk, start=at(2025, 1, 1), end=at(2025, 2, 1)
    )

    assert index.response_count == 0
    assert index.overall is None and index.mean is None
    assert all(c.share is None and c.mean is None for c in index.criteria)
    assert len(index.criteria) == 6


def test_a_criterion_nobody_answered_is_left_out_of_the_overall_index(agency):
    make_response(agency, at=at(2026, 3, 3), scores=5, skip=("tiep_nhan_phan_hoi",))
    make_response(agency, at=at(2026, 3, 4), scores=3, skip=("tiep_nhan_phan_hoi",))

    index = selectors.satisfaction_index(agency_id=agency.pk, start=MARCH[0], end=MARCH[1])

    assert index.criterion("tiep_nhan_phan_hoi").share is None
    assert index.overall == pytest.approx(50.0)


def test_a_new_survey_version_is_compared_by_criterion_code(agency, administrator):
    """v2 rewords a criterion and drops a question; answers to both versions add up per code,
    under the wording of the version in use."""
    v1 = active_survey()
    make_response(agency, at=at(2026, 3, 2), scores=5, survey=v1)
    administrator.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_survey", "change_survey"])
    )
    administrator = type(administrator).objects.get(pk=administrator.pk)
    v2 = satisfaction_services.survey_new_version(survey=v1, user=administrator)
    criterion = Criterion.objects.get(survey=v2, code="tiep_can_dich_vu")
    criterion.label = "Tiếp cận dịch vụ hành chính công"
    criterion.save()
    criterion.questions.order_by("position").last().delete()
    satisfaction_services.survey_activate(survey=v2, user=administrator)
    make_response(
        agency, at=at(2026, 3, 20), scores={"*": 4, "tiep_can_dich_vu": [1, 2]}, survey=v2
    )

    index = selectors.satisfaction_index(agency_id=agency.pk, start=MARCH[0], end=MARCH[1])

    access = index.criterion("tiep_can_dich_vu")
    assert access.label == "Tiếp cận dịch vụ hành chính công"
    assert (access.answer_count, access.satisfied_count) == (5, 3)  # 3 from v1, 2 from v2
    assert access.mean == pytest.approx((15 + 3) / 5)
    assert [c.code for c in index.criteria] == CODES  # still six columns, not twelve
    assert index.criterion("thu_tuc_hanh_chinh").answer_count == 6
    assert index.criterion("thu_tuc_hanh_chinh").share == pytest.approx(100.0)


def test_a_response_counts_for_its_desk_officer_and_its_handler(agency):
    desk = staff(agency, Role.DESK_OFFICER, last_name="Trần", first_name="Thu")
    handler = staff(agency, Role.SPECIALIST, last_name="Lê", first_name="Hoa")
    both = staff(agency, Role.SPECIALIST, last_name="Võ", first_name="Minh")
    make_response(agency, at=at(2026, 3, 2), scores=5, desk_officer=desk, handler=handler)
    make_response(agency, at=at(2026, 3, 3), scores=1, desk_officer=desk, handler=handler)
    make_response(agency, at=at(2026, 3, 4), scores=4, desk_officer=both, handler=both)
    make_response(agency, at=at(2026, 3, 5), scores=2, desk_officer=desk)

    groups = selectors.index_by(by="officer", agency_id=agency.pk, start=MARCH[0], end=MARCH[1])

    rows = {g.label: (g.key, g.index.response_count, g.index.overall) for g in groups}
    assert list(rows) == ["Lê Hoa", "Trần Thu", "Võ Minh"]
    assert rows["Trần Thu"] == (desk.pk, 3, pytest.approx(100 / 3))
    assert rows["Lê Hoa"] == (handler.pk, 2, pytest.approx(50.0))
    assert rows["Võ Minh"] == (both.pk, 1, pytest.approx(100.0))  # once, not twice
    mine = selectors.satisfaction_index(
        agency_id=agency.pk, start=MARCH[0], end=MARCH[1], officer_id=handler.pk
    )
    assert (mine.response_count, mine.overall) == (2, pytest.approx(50.0))
    only = selectors.index_by(
        by="officer", agency_id=agency.pk, start=MARCH[0], end=MARCH[1], officer_id=handler.pk
    )
    assert [(g.key, g.index.response_count) for g in only] == [(handler.pk, 2)]


def test_procedure_versions_count_together_under_the_newest_name(agency):
    old = published_procedure(agency, code="1.001234", name="Cấp phép karaoke (cũ)")
    old.status = ProcedureStatus.RETIRED
    old.save()
    new = published_procedure(agency, code="1.001234", version=2, name="Cấp phép karaoke")
    other = published_procedure(agency, name="Đăng ký lễ hội")
    make_response(agency, at=at(2026, 3, 2), scores=5, procedure=old)
    make_response(agency, at=at(2026, 3, 3), scores=3, procedure=new)
    make_response(agency, at=at(2026, 3, 4), scores=4, procedure=other)
    make_response(agency, at=at(2026, 3, 5), scores=1)  # a kiosk response without a dossier

    groups = selectors.index_by(by="procedure", agency_id=agency.pk, start=MARCH[0], end=MARCH[1])

    assert [(g.key, g.label, g.index.response_count) for g in groups] == [
        (new.pk, "Cấp phép karaoke", 2),
        (other.pk, "Đăng ký lễ hội", 1),
        (None, "Không gắn với hồ sơ", 1),
    ]
    assert groups[0].index.overall == pytest.approx(50.0)
    filtered = selectors.satisfaction_index(
        agency_id=agency.pk, start=MARCH[0], end=MARCH[1], procedure_id=old.pk
    )
    assert filtered.response_count == 2


def test_months_are_local_and_the_trend_has_every_month(agency):
    make_response(agency, at=at(2026, 3, 31, 23, 30), scores=5)  # 16:30 UTC: still March
    make_response(agency, at=at(2026, 4, 1, 0, 30), scores=1)  # 17:30 UTC on 31/3: April
    make_response(agency, at=at(2026, 1, 15), scores=4)

    trend = selectors.monthly_trend(agency_id=agency.pk, until=at(2026, 4, 15), months=4)

    assert [(g.label, g.index.response_count, g.index.overall) for g in trend] == [
        ("01/2026", 1, 100.0),
        ("02/2026", 0, None),
        ("03/2026", 1, 100.0),
        ("04/2026", 1, 0.0),
    ]


def test_the_trend_ends_with_the_month_of_the_last_day_before_the_bound(agency):
    trend = selectors.monthly_trend(agency_id=agency.pk, until=at(2026, 4, 1), months=2)

    assert [g.label for g in trend] == ["02/2026", "03/2026"]


def test_facility_checklist_counts_per_month(agency):
    make_response(agency, at=at(2026, 3, 2), facilities=("but_giay", "ghe_ngoi"))
    make_response(agency, at=at(2026, 3, 9), facilities=("but_giay",))
    make_response(agency, at=at(2026, 4, 1, 8), facilities=("thoi_gian_cho",))
    make_response(agency, at=at(2026, 4, 2))

    table = selectors.facility_counts_by_month(agency_id=agency.pk, until=at(2026, 5, 1), months=3)

    codes = [code for code, _label in table.options]
    assert codes[:5] == ["bieu_mau", "but_giay", "ghe_ngoi", "may_tinh", "thoi_gian_cho"]
    rows = {f"{m:%m/%Y}": dict(zip(codes, counts, strict=True)) for m, counts in table.months}
    assert list(rows) == ["02/2026", "03/2026", "04/2026"]
    assert rows["03/2026"]["but_giay"] == 2 and rows["03/2026"]["ghe_ngoi"] == 1
    assert rows["04/2026"]["thoi_gian_cho"] == 1 and sum(rows["02/2026"].values()) == 0
    assert dict(zip(codes, table.totals, strict=True))["but_giay"] == 2


def test_the_public_summary_withholds_small_groups(agency, settings):
    settings.SATISFACTION_PUBLIC_MIN_RESPONSES = 3
    for day in (2, 3, 4):
        make_response(agency, at=at(2026, 3, day), scores=5)
    make_response(agency, at=at(2026, 4, 2), scores=1)

    summary = selectors.public_summary(agency_id=agency.pk, until=at(2026, 4, 10), months=2)

    assert summary.response_count == 4 and not summary.is_withheld
    assert summary.index.overall == pytest.approx(75.0)
    march, april = summary.months
    assert (march.response_count, march.overall, march.is_withheld) == (3, 100.0, False)
    assert (april.response_count, april.overall, april.is_withheld) == (1, None, True)

    settings.SATISFACTION_PUBLIC_MIN_RESPONSES = 5
    summary = selectors.public_summary(agency_id=agency.pk, until=at(2026, 4, 10), months=2)
    assert summary.is_withheld and summary.index is None
    assert all(month.overall is None for month in summary.months)


# --- 766 indicator 5.4 ----------------------------------------------------------------------
def _dossier(procedure, desk, officer, *, received_at, resolved_at=None, returned=True):
    with time_machine.travel(received_at, tick=False):
        dossier = register_dossier(procedure=procedure, user=desk, received_at=received_at)
        dossier_services.dossier_assign(dossier=dossier, handler=officer, user=desk)
    if resolved_at is not None:
        with time_machine.travel(resolved_at, tick=False):
            dossier_services.dossier_resolve(
                dossier=dossier, user=officer, result_summary="Đã cấp giấy phép"
            )
            if returned:
                dossier_services.dossier_return_result(dossier=dossier, user=desk)
    dossier.refresh_from_db()
    return dossier


def test_tthc_satisfaction_estimate_on_a_hand_computed_month(agency):
    """March 2026 (no holiday), a 3-working-day procedure: received Mon 2/3 09:00, due
    Thu 5/3 17:00. Six dossiers counted: two late (D3, D5), three complained about (D2 with a
    "dislike" response, D4 with a PAKN, D5 with both lateness and a dislike).
    5.4 = 100 × (1 − 2/6 − 3/6) = 16.67."""
    procedure = published_procedure(agency, processing_time_amount=Decimal("3"))
    desk, officer = staff(agency, Role.DESK_OFFICER), staff(agency, Role.SPECIALIST)
    monday = at(2026, 3, 2, 9)
    d1 = _dossier(procedure, desk, officer, received_at=monday, resolved_at=at(2026, 3, 3, 10))
    d2 = _dossier(procedure, desk, officer, received_at=monday, resolved_at=at(2026, 3, 3, 11))
    _dossier(procedure, desk, officer, received_at=monday, resolved_at=at(2026, 3, 13, 10))
    d4 = _dossier(procedure, desk, officer, received_at=monday, resolved_at=at(2026, 3, 4, 10))
    d5 = _dossier(procedure, desk, officer, received_at=monday, resolved_at=at(2026, 3, 16, 10))
    _dossier(procedure, desk, officer, received_at=at(2026, 3, 30, 9))  # open, on time at end
    # Not counted: finished in February.
    old = _dossier(
        procedure, desk, officer, received_at=at(2026, 2, 2, 9), resolved_at=at(2026, 2, 3, 9)
    )
    make_response(agency, at=at(2026, 3, 4), scores=5, dossier=d1)
    make_response(agency, at=at(2026, 3, 4), scores=2, dossier=d2)  # mean 2 < 3: dislike
    make_response(agency, at=at(2026, 3, 17), scores={"*": 2, "tiep_can_dich_vu": 5}, dossier=d5)
    make_response(agency, at=at(2026, 2, 4), scores=1, dossier=old)
    make_feedback(agency, dossier_code=d4.code.lower())

    estimate = selectors.tthc_satisfaction_estimate(
        agency_id=agency.pk, start=MARCH[0], end=MARCH[1]
    )

    assert (estimate.denominator, estimate.late_count, estimate.complained_count) == (6, 2, 3)
    assert estimate.value == pytest.approx(16.67)
    assert estimate.numerator == 1
    assert estimate.late_rate == pytest.approx(100 / 3)
    assert estimate.complained_rate == pytest.approx(50.0)
    assert estimate.points == pytest.approx(round(6 * 16.67 / 90, 2))
    assert "5.4" in estimate.label


def test_tthc_satisfaction_estimate_is_none_without_dossiers(agency):
    estimate = selectors.tthc_satisfaction_estimate(
        agency_id=agency.pk, start=MARCH[0], end=MARCH[1]
    )

    assert estimate.value is None and estimate.denominator == 0 and estimate.points is None


def test_the_dislike_threshold_is_a_setting(agency, settings):
    procedure = published_procedure(agency, processing_time_amount=Decimal("3"))
    desk, officer = staff(agency, Role.DESK_OFFICER), staff(agency, Role.SPECIALIST)
    dossier = _dossier(
        procedure, desk, officer, received_at=at(2026, 3, 2, 9), resolved_at=at(2026, 3, 3, 9)
    )
    make_response(agency, at=at(2026, 3, 4), scores=3, dossier=dossier)

    first = selectors.tthc_satisfaction_estimate(agency_id=agency.pk, start=MARCH[0], end=MARCH[1])
    settings.SATISFACTION_DISLIKE_MEAN_BELOW = 3.5
    second = selectors.tthc_satisfaction_estimate(agency_id=agency.pk, start=MARCH[0], end=MARCH[1])

    assert (first.value, second.value) == (100.0, 0.0)


def test_index_scope_by_permission(agency, leader, desk_officer, specialist):
    assert selectors.index_scope(user=leader).sees_all
    mine = selectors.index_scope(user=specialist)
    assert (mine.sees_all, mine.officer_id) == (False, specialist.pk)
    outsider = staff(agency, Role.ADMINISTRATOR)
    outsider.groups.clear()
    with pytest.raises(selectors.IndexForbidden):
        selectors.index_scope(user=type(outsider).objects.get(pk=outsider.pk))
