"""What the generator reads from the database before writing anything: procedures, staff
(by permission), the used daily code numbers; and the small helpers shared by the package."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from core.calendar import WorkingCalendar, get_calendar
from procedures.constants import OnlineLevel, ProcedureStatus
from procedures.models import Procedure

from ...demo import PROCEDURE_WEIGHTS
from ...models import DossierCodeSequence


class GenerationError(Exception):
    """A problem the command reports as is (no PostgreSQL, no procedures, no staff)."""


def escape(value: str) -> str:
    """A text value for COPY's text format."""
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def as_json(value) -> str:
    """JSON, escaped for COPY."""
    return escape(json.dumps(value, ensure_ascii=False))


@dataclass
class Step:
    unit: str
    task: str
    budget: Decimal
    unit_of_time: str


@dataclass
class ProcedureInfo:
    id: int
    code: str
    amount: Decimal
    unit: str
    cutoff: time | None
    has_fee: bool
    online: bool
    first_unit: str  # the dossier's current step at receipt
    steps: list[Step]
    items: list[str]  # component names, for supplement requests
    legal_basis: str
    weight: int
    # Prepared by the generator:
    cutoff_minute: int = 0
    applicants: list[tuple[str, bool]] = field(default_factory=list)
    item_jsons: list[str] = field(default_factory=list)


@dataclass
class StaffInfo:
    id: int
    unit: str  # str(department): what the services write as the hand-over's `to_unit`


@dataclass
class Plan:
    """Everything the generator needs, read from the database before any row is written."""

    agency_id: int
    agency_code: str
    calendar: WorkingCalendar
    now: datetime
    first_day: date
    procedures: list[ProcedureInfo]
    desk: list[StaffInfo]
    specialists: list[StaffInfo]
    leaders: list[StaffInfo]
    used_numbers: dict[date, int]  # DossierCodeSequence.last_number per day, already taken
    seed: int


@dataclass
class Result:
    dossiers: int = 0
    events: int = 0
    transfers: int = 0
    pauses: int = 0
    apologies: int = 0
    seconds: float = 0.0


# --- reading the plan ------------------------------------------------------------------------
def _months_back(day: date, months: int) -> date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    for candidate in range(day.day, 27, -1):
        try:
            return date(year, month + 1, candidate)
        except ValueError:
            continue
    return date(year, month + 1, 28)


def build_plan(*, agency, months: int, seed: int, now: datetime | None = None) -> Plan:
    """Read procedures, staff and used sequence numbers of `agency`.

    Raises GenerationError without published procedures, desk officers or specialists.
    """
    now = now or timezone.now()
    calendar = get_calendar()
    procedures = []
    published = (
        Procedure.objects.filter(agency=agency, status=ProcedureStatus.PUBLISHED)
        .prefetch_related("workflow_steps", "components")
        .order_by("code")
    )
    for procedure in published:
        steps = [
            Step(s.unit, s.task, s.time_budget, s.time_budget_unit)
            for s in sorted(procedure.workflow_steps.all(), key=lambda s: s.position)
        ]
        lines = procedure.legal_basis.strip().splitlines()
        procedures.append(
            ProcedureInfo(
                id=procedure.pk,
                code=procedure.code,
                amount=procedure.processing_time_amount,
                unit=procedure.processing_time_unit,
                cutoff=procedure.receipt_cutoff,
                has_fee=procedure.has_fee,
                online=procedure.online_level != OnlineLevel.NONE,
                first_unit=steps[0].unit if steps else "",
                steps=steps,
                items=[c.name for c in procedure.components.all()] or ["Đơn đề nghị"],
                legal_basis=lines[0].lstrip("- ")[:500] if lines else "",
                weight=PROCEDURE_WEIGHTS.get(procedure.code, 3),
            )
        )
    if not procedures:
        raise GenerationError(f"Agency {agency.code} has no published procedure.")
    staff = list(
        User.objects.filter(department__agency=agency, is_active=True)
        .select_related("department")
        .order_by("pk")
    )
    # Roles by permission (never by group name): the desk receives; specialists process
    # without seeing every dossier; leaders assign and are neither of the above.
    desk = [u for u in staff if u.has_perm("dossiers.receive_dossier")]
    specialists = [
        u
        for u in staff
        if u.has_perm("dossiers.process_dossier") and not u.has_perm("dossiers.view_all_dossiers")
    ] or [u for u in staff if u.has_perm("dossiers.process_dossier")]
    leaders = [
        u
        for u in staff
        if u.has_perm("dossiers.assign_dossier")
        and u.has_perm("dossiers.process_dossier")
        and u not in desk
        and u not in specialists
    ]
    if not desk or not specialists:
        raise GenerationError(
            f"Agency {agency.code} needs at least one desk officer and one specialist "
            "(run `manage.py seed_demo` first)."
        )

    def as_staff(users):
        return [StaffInfo(u.pk, str(u.department)) for u in users]

    first_day = _months_back(timezone.localtime(now, calendar.tz).date(), months)
    used = dict(
        DossierCodeSequence.objects.filter(agency=agency, day__gte=first_day).values_list(
            "day", "last_number"
        )
    )
    return Plan(
        agency_id=agency.pk,
        agency_code=agency.code,
        calendar=calendar,
        now=now,
        first_day=first_day,
        procedures=procedures,
        desk=as_staff(desk),
        specialists=as_staff(specialists),
        leaders=as_staff(leaders),
        used_numbers=used,
        seed=seed,
    )
