"""The rows: each dossier's life simulated in office minutes and written as COPY text."""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.conf import settings
from django.utils import translation

from core.calendar import TimeUnit
from core.text import fold

from ...constants import PauseKind, Timeliness
from ...demo import (
    PAYMENT_REASON,
    REFUSAL_REASONS,
    RESCHEDULE_REASONS,
    STOP_REASONS,
    SUPPLEMENT_DEFECTS,
    SUPPLEMENT_REASONS,
    WITHDRAW_REASONS,
    fake_applicant,
)
from ...rules import profile_for
from .clock import Clock
from .plan import Plan, ProcedureInfo, as_json, escape

BENCH_NOTE = "Dữ liệu sinh tự động để đo hiệu năng."
APPLICANTS_PER_PROCEDURE = 3000
NULL = "\\N"

# The mix of lives (shares of all dossiers unless said otherwise).
REFUSED_SHARE = 0.015
EARLY_WITHDRAWN_SHARE = 0.005  # withdrawn before the hand-over
SUPPLEMENT_SHARE = 0.07
SECOND_SUPPLEMENT_SHARE = 0.08  # of the supplemented: a second request, hence late (§3.4)
PAYMENT_SHARE = 0.08  # of dossiers of procedures with a fee
STOPPED_SHARE = 0.01
WITHDRAWN_SHARE = 0.005
VIA_LEADER_SHARE = 0.25  # desk -> office head -> specialist instead of desk -> specialist
RESOLVE_EARLY, RESOLVE_ON_TIME = 0.68, 0.92  # cumulative: 68 % early, 24 % on time, 8 % late
LONG_LATE_SHARE = 0.2  # of the late: 6-30 working days late instead of 1-5
APOLOGY_SHARE = 0.35  # of the late: an apology the working day before the due day
PAPER_SHARE = 0.85
NEVER_COLLECTED_SHARE = 0.02


def _(message: str) -> str:
    """History text in the office's language, as dossiers.services._record writes it."""
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(message)


DOSSIER_COLUMNS = (
    "id, created_at, updated_at, code, agency_id, procedure_id, rule_profile, "
    "processing_time_amount, processing_time_unit, applicant_type, applicant_name, "
    "organisation_name, applicant_id_number, applicant_phone, phone_last4, applicant_email, "
    "applicant_address, applicant_search, consent_sms, consent_email, consent_recorded_at, "
    "channel, set_count, "
    "note, status, received_at, received_by_id, original_due_at, due_at, rescheduled_due_at, "
    "paused_minutes, supplement_request_count, current_step, handler_id, refusal_reason, "
    "resolved_at, paper_result_received_at, returned_at, finished_at, timeliness, "
    "result_summary, result_file"
)
EVENT_COLUMNS = (
    "dossier_id, type, from_status, to_status, at, note, public_note, is_public, data, actor_id"
)
TRANSFER_COLUMNS = (
    "dossier_id, position, from_unit, to_unit, task, sent_at, step_due_at, completed_at, "
    "outcome, receiver_id, sender_id"
)
PAUSE_COLUMNS = (
    "dossier_id, kind, reason, items, legal_basis, started_at, ended_at, working_minutes, "
    "started_by_id, ended_by_id"
)
APOLOGY_COLUMNS = (
    "dossier_id, sequence, reason, previous_due_at, new_due_at, issued_at, issued_by_id, signed_by"
)


@dataclass
class Batch:
    """The COPY text of one batch and the last code number it used per day."""

    dossiers: str
    events: str
    transfers: str
    pauses: str
    apologies: str
    counts: tuple[int, int, int, int, int]
    last_numbers: dict[date, int]


class Generator:
    """Builds batches of COPY text; needs no database once constructed (it runs forked)."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.clock = Clock(plan)
        self.rng = random.Random(plan.seed)  # noqa: S311 - reproducible benchmark data
        self._due_cache: dict[tuple, int] = {}
        cal = plan.calendar
        self.step_cutoff = self.clock.office_minutes(min(cal.cutoff, cal.closing_time()))
        for p in plan.procedures:
            p.cutoff_minute = self.clock.office_minutes(
                min(p.cutoff or cal.cutoff, cal.closing_time())
            )
            p.applicants = self._applicants(p)
            p.item_jsons = [
                as_json([f"{item} ({defect})"]) for item in p.items for defect in SUPPLEMENT_DEFECTS
            ]
        # The services' public notes, translated once (same msgids as dossiers.services).
        self.notes = {
            "accepted": _("Dossier received and accepted at the one-stop desk."),
            "refused": _("The dossier was not accepted; the reasons are on the refusal slip."),
            "supplement": _(
                "Additional documents are needed; the clock is paused until they arrive."
            ),
            "payment": _("Waiting for the fee payment; the clock is paused."),
            "resumed": _(
                "Documents received; processing resumed and the due date moved accordingly."
            ),
            "resolved": _("The result is ready at the one-stop desk."),
            "returned": _("The result was handed to the applicant."),
            "stopped": _("Processing was stopped; the reasons are in the written notice."),
            "withdrawn": _("The dossier was withdrawn at the applicant's request."),
            "ready": _("One-stop desk (result ready)"),
        }
        self.notes = {key: escape(value) for key, value in self.notes.items()}
        self.handed = _("Handed over to %(unit)s for processing.")
        self.apology = _("We apologise: the result will be ready on %(date)s.")
        self.desk_unit = _("One-stop desk")

    def _applicants(self, procedure: ProcedureInfo) -> list[tuple[str, bool]]:
        """Applicant columns (applicant_type .. consent_email) ready for COPY, and whether
        consent was given. A pool per procedure: a million calls to fake data would dominate."""
        rng = random.Random(f"{self.plan.seed}-{procedure.code}")  # noqa: S311
        pool = []
        for _i in range(APPLICANTS_PER_PROCEDURE):
            a = fake_applicant(rng, procedure.code)
            phone = "+84" + a.phone[1:]  # E.164, as services.normalize_vn_phone stores it
            columns = (
                a.applicant_type,
                escape(a.name),
                escape(a.organisation_name),
                a.id_number,
                phone,
                phone[-4:],
                escape(a.email),
                escape(a.address),
                escape(fold(f"{a.name} {a.organisation_name}")),  # as dossier_register
                "t" if a.consent_sms else "f",
                "t" if a.consent_email else "f",
            )
            pool.append(("\t".join(columns), a.consent_sms or a.consent_email))
        return pool

    def _calendar_due(self, key, moment: int, amount, unit, cutoff_minute: int) -> int:
        """core.calendar's due moment for a period starting at office minute `moment`."""
        W = self.clock.W
        if unit == TimeUnit.WORKING_HOURS:  # counted from the moment itself, no cut-off
            return moment + int((Decimal(amount) * 60).to_integral_value())
        index, minute = divmod(moment, W)
        effective = index + (minute >= cutoff_minute)
        cached = self._due_cache.get((key, effective))
        if cached is None:
            # Day-based periods depend only on the effective receipt day: ask the calendar
            # once, from the opening of that day.
            start = datetime.combine(self.clock.days[effective], time.min, tzinfo=self.clock.tz)
            start = self.plan.calendar.add_working_minutes(start, 0)
            due = self.plan.calendar.due_at(start, amount, unit, cutoff=time.max)
            cached = self._due_cache[(key, effective)] = self.clock.from_datetime(due)
        return cached

    def receipts(self, count: int) -> Iterator[tuple[int, list[int]]]:
        """(working-day index, sorted office minutes of the receipts), `count` in all."""
        clock, rng = self.clock, self.rng
        last, W = clock.last_index, clock.W
        weights = []
        for index in range(last + 1):
            weight = (1.15 if clock.days[index].weekday() == 0 else 1.0) * rng.uniform(0.8, 1.2)
            if index == last:  # today counts only for the hours already gone
                weight *= (clock.now - last * W) / W
            weights.append(weight)
        total = sum(weights)
        exact = [count * w / total for w in weights]
        counts = [math.floor(x) for x in exact]
        by_remainder = sorted(range(len(exact)), key=lambda i: counts[i] - exact[i])
        for i in by_remainder[: count - sum(counts)]:
            counts[i] += 1
        for index, n in enumerate(counts):
            limit = W - 1 if index < last else max(1, clock.now - last * W - 1)
            yield index, sorted(rng.randint(1, limit) for _i in range(n))

    def batches(
        self, count: int, batch_size: int, next_ids: Callable[[int], list[int]]
    ) -> Iterator[Batch]:
        """Yield batches of up to `batch_size` dossiers in order of receipt.

        `next_ids(n)` hands out the ids of the next n dossiers (reserved in the database).
        One long function on purpose: it runs a million times, so everything is a local.
        """
        plan, clock, notes = self.plan, self.clock, self.notes
        W, now, moments, due_text = clock.W, clock.now, clock.moments, clock.due_text
        ends = frozenset(clock.window_ends)
        random_ = self.rng.random
        procedures = plan.procedures
        cum_weights = list(itertools.accumulate(p.weight for p in procedures))
        total_weight = cum_weights[-1]
        agency_id, agency_code = str(plan.agency_id), plan.agency_code
        desk, specialists, leaders = plan.desk, plan.specialists, plan.leaders
        note = escape(BENCH_NOTE)
        calendar_due = self._calendar_due
        refusal = [escape(r) for r in REFUSAL_REASONS]
        stopping = [escape(r) for r in STOP_REASONS]
        withdrawing = [escape(r) for r in WITHDRAW_REASONS]
        supplementing = [escape(r) for r in SUPPLEMENT_REASONS]
        rescheduling = [escape(r) for r in RESCHEDULE_REASONS]
        paying = escape(PAYMENT_REASON)
        units = {s.id: (escape(s.unit), as_json(s.unit)) for s in desk + specialists + leaders}
        handed = {s.id: escape(self.handed % {"unit": s.unit}) for s in specialists + leaders}
        legal = {p.id: escape(p.legal_basis) for p in procedures}
        steps = {p.id: [(escape(s.unit), escape(s.task), s) for s in p.steps] for p in procedures}
        first_unit = {
            p.id: (escape(p.first_unit or self.desk_unit), as_json(p.first_unit or self.desk_unit))
            for p in procedures
        }
        ready = notes["ready"]

        def pick(seq):
            return seq[int(random_() * len(seq))]

        def between(lo: int, hi: int) -> int:
            return lo + int(random_() * (hi - lo + 1))

        dossiers: list[str] = []
        events: list[str] = []
        transfers: list[str] = []
        pauses: list[str] = []
        apologies: list[str] = []
        counts = [0, 0, 0, 0, 0]
        last_numbers: dict[date, int] = {}
        ids: list[int] = []
        produced = 0
        profiles: dict[int, str] = {}

        def flush() -> Batch:
            batch = Batch(
                "".join(dossiers),
                "".join(events),
                "".join(transfers),
                "".join(pauses),
                "".join(apologies),
                tuple(counts),
                dict(last_numbers),
            )
            for buffer in (dossiers, events, transfers, pauses, apologies):
                buffer.clear()
            last_numbers.clear()
            counts[:] = [0, 0, 0, 0, 0]
            return batch

        for index, minutes in self.receipts(count):
            day = clock.days[index]
            number = plan.used_numbers.get(day, 0)
            prefix = f"{agency_code}-{day:%y%m%d}-"
            profile = profiles.get(index) or profiles.setdefault(index, profile_for(day).code)
            year = str(day.year)
            for minute in minutes:
                if not ids:
                    ids = next_ids(min(batch_size, count - produced))[::-1]
                did = str(ids.pop())
                number += 1
                last_numbers[day] = number
                code = f"{prefix}{number:04d}"
                received = index * W + minute
                received_text = moments[received]
                p = procedures[bisect.bisect(cum_weights, random_() * total_weight)]
                applicant, consent = pick(p.applicants)
                desk_officer = pick(desk)
                desk_id = str(desk_officer.id)
                roll = random_()
                channel = "2" if roll < 0.25 and p.online else ("3" if roll > 0.95 else "1")
                ev = events.append
                counts[0] += 1
                produced += 1

                if random_() < REFUSED_SHARE:  # refused at intake: no due date, no clock
                    reason = pick(refusal)
                    dossiers.append(
                        f"{did}\t{received_text}\t{received_text}\t{code}\t{agency_id}\t{p.id}\t"
                        f"{profile}\t{p.amount}\t{p.unit}\t{applicant}\t"
                        f"{received_text if consent else NULL}\t{channel}\t1\t{note}\t3\t"
                        f"{received_text}\t{desk_id}\t{NULL}\t{NULL}\t{NULL}\t0\t0\t\t{NULL}\t"
                        f"{reason}\t{NULL}\t{NULL}\t{NULL}\t{received_text}\t\t\t\n"
                    )
                    ev(
                        f"{did}\trefused\t\t3\t{received_text}\t{reason}\t{notes['refused']}\tt"
                        f"\t{{}}\t{desk_id}\n"
                    )
                    counts[1] += 1
                    if counts[0] >= batch_size or produced == count:
                        yield flush()
                    continue

                due = original_due = calendar_due(p.id, received, p.amount, p.unit, p.cutoff_minute)
                status, updated, handler = "2", received, NULL
                step, step_json = first_unit[p.id]
                paused_minutes = supplements = 0
                rescheduled = resolved = paper = returned = finished = None
                timeliness = reason = summary = ""
                ev(
                    f"{did}\taccepted\t\t2\t{received_text}\t\t{notes['accepted']}\tt\t"
                    f'{{"new": {{"due_at": "{due_text(due)}", "rule_profile": "{profile}"}}}}'
                    f"\t{desk_id}\n"
                )
                counts[1] += 1
                transfer = None  # the open control-slip row: [position, from, to, task, ...]
                fate = random_()
                cursor = received
                alive = True  # False once the life has ended or reached "now"
                specialist = pick(specialists)
                specialist_id = str(specialist.id)

                if fate < EARLY_WITHDRAWN_SHARE:  # withdrawn before the hand-over
                    at = cursor + between(60, 1500)
                    at += not at % W
                    if at <= now:
                        reason = pick(withdrawing)
                        ev(
                            f"{did}\twithdrawn\t2\t7\t{moments[at]}\t{reason}\t"
                            f"{notes['withdrawn']}\tt\t{{}}\t{desk_id}\n"
                        )
                        counts[1] += 1
                        status, finished, updated, step = "7", at, at, ""
                        timeliness = _timeliness(at, due, 0, W, ends)
                    alive = False

                # Hand-over: desk -> specialist, or desk -> office head -> specialist.
                hops = [specialist]
                if leaders and random_() < VIA_LEADER_SHARE:
                    hops = [pick(leaders), specialist]
                sender_id = desk_id
                for position, hop in enumerate(hops, start=1):
                    if not alive:
                        break
                    at = cursor + between(15, 300)
                    at += not at % W
                    if at > now:
                        alive = False
                        break
                    if transfer is not None:
                        transfers.append(
                            _transfer_row(did, transfer, at, moments, due_text, W, ends)
                        )
                        counts[2] += 1
                    workflow = steps[p.id]
                    if workflow:
                        # services.dossier_assign: the workflow step after this position.
                        unit_e, task_e, wf = workflow[min(position, len(workflow) - 1)]
                        key = (wf.budget, wf.unit_of_time)
                        step_due = min(
                            calendar_due(key, at, wf.budget, wf.unit_of_time, self.step_cutoff),
                            due,
                        )
                    else:
                        task_e, step_due = "", due
                    hop_unit, hop_json = units[hop.id]
                    transfer = [position, step, hop_unit, task_e, at, step_due, hop.id, sender_id]
                    ev(
                        f"{did}\tassigned\t{status}\t4\t{moments[at]}\t\t{handed[hop.id]}\tt\t"
                        f'{{"old": {{"status": "{status}", "handler": '
                        f'{"null" if handler == NULL else handler}, "step": {step_json}}}, '
                        f'"new": {{"handler": {hop.id}, "step": {hop_json}}}}}\t{sender_id}\n'
                    )
                    counts[1] += 1
                    status, handler, updated, cursor = "4", str(hop.id), at, at
                    step, step_json, sender_id = hop_unit, hop_json, str(hop.id)

                # Pauses: documents (rarely twice) or a fee; the due date moves at resumption.
                rounds, kind = 0, PauseKind.SUPPLEMENT
                if alive:
                    if random_() < SUPPLEMENT_SHARE:
                        rounds = 2 if random_() < SECOND_SUPPLEMENT_SHARE else 1
                    elif p.has_fee and random_() < PAYMENT_SHARE:
                        rounds, kind = 1, PauseKind.PAYMENT
                for _round in range(rounds):
                    start = cursor + between(60, 1440)
                    start += not start % W
                    if start > now:
                        alive = False
                        break
                    if kind == PauseKind.SUPPLEMENT:
                        supplements += 1
                        paused, items, why = "5", pick(p.item_jsons), pick(supplementing)
                        event_type, public = "supplement_requested", notes["supplement"]
                    else:
                        paused, items, why = "6", "[]", paying
                        event_type, public = "payment_requested", notes["payment"]
                    ev(
                        f"{did}\t{event_type}\t4\t{paused}\t{moments[start]}\t{why}\t{public}\tt"
                        f'\t{{"new": {{"items": {items}, "supplement_request_count": '
                        f"{supplements}}}}}\t{specialist_id}\n"
                    )
                    counts[1] += 1
                    status, updated, cursor = paused, start, start
                    end = start + between(240, 3360)
                    end += not end % W
                    counts[3] += 1
                    if end > now:
                        pauses.append(
                            f"{did}\t{kind}\t{why}\t{items}\t{legal[p.id]}\t{moments[start]}\t"
                            f"{NULL}\t0\t{specialist_id}\t{NULL}\n"
                        )
                        alive = False
                        break
                    length = end - start  # office minutes = working minutes paused
                    pauses.append(
                        f"{did}\t{kind}\t{why}\t{items}\t{legal[p.id]}\t{moments[start]}\t"
                        f"{moments[end]}\t{length}\t{specialist_id}\t{desk_id}\n"
                    )
                    old_due, due = due, due + length
                    ev(
                        f"{did}\tresumed\t{paused}\t4\t{moments[end]}\t\t{notes['resumed']}\tt\t"
                        f'{{"old": {{"due_at": "{due_text(old_due)}", "rescheduled_due_at": '
                        f'null}}, "new": {{"due_at": "{due_text(due)}", "rescheduled_due_at": '
                        f'null, "paused_minutes": {length}}}}}\t{desk_id}\n'
                    )
                    counts[1] += 1
                    status, updated, cursor = "4", end, end
                    paused_minutes += length

                # Stopped (not eligible) or withdrawn while being processed.
                if alive and fate > 1 - STOPPED_SHARE - WITHDRAWN_SHARE:
                    at = cursor + between(240, 2400)
                    at += not at % W
                    if at <= now:
                        stop = fate > 1 - STOPPED_SHARE
                        reason = pick(stopping if stop else withdrawing)
                        if transfer is not None:
                            transfers.append(
                                _transfer_row(did, transfer, at, moments, due_text, W, ends)
                            )
                            counts[2] += 1
                            transfer = None
                        new = "8" if stop else "7"
                        ev(
                            f"{did}\t{'stopped' if stop else 'withdrawn'}\t{status}\t{new}\t"
                            f"{moments[at]}\t{reason}\t"
                            f"{notes['stopped'] if stop else notes['withdrawn']}\tt\t{{}}\t"
                            f"{specialist_id if stop else desk_id}\n"
                        )
                        counts[1] += 1
                        status, finished, updated, step = new, at, at, ""
                        timeliness = _timeliness(at, due, supplements, W, ends)
                    alive = False

                # Resolution: early, on time or late against the pause-extended due date.
                if alive:
                    due_day = (due - 1) // W
                    target = random_()
                    if target < RESOLVE_EARLY:
                        at = (due_day - between(1, 3)) * W + between(1, W - 1)
                    elif target < RESOLVE_ON_TIME:
                        at = due_day * W + between(1, W - 1)
                    else:
                        late = between(6, 30) if random_() < LONG_LATE_SHARE else between(1, 5)
                        at = (due_day + late) * W + between(1, W - 1)
                        # An apology the working day before the due day, once (§3.5).
                        apology_at = (due_day - 1) * W + between(1, 120)
                        if random_() < APOLOGY_SHARE and cursor < apology_at <= now:
                            new_due = (due_day + between(3, 6)) * W + W
                            why = pick(rescheduling)
                            rescheduled = new_due
                            apologies.append(
                                f"{did}\t1\t{why}\t{due_text(due)}\t{due_text(new_due)}\t"
                                f"{moments[apology_at]}\t{specialist_id}\t\n"
                            )
                            counts[4] += 1
                            new_day = clock.days[(new_due - 1) // W]
                            public = escape(self.apology % {"date": f"{new_day:%d/%m/%Y}"})
                            ev(
                                f"{did}\trescheduled\t{status}\t{status}\t{moments[apology_at]}"
                                f"\t{why}\t{public}\tt\t"
                                f'{{"old": {{"appointment": "{due_text(due)}"}}, "new": '
                                f'{{"appointment": "{due_text(new_due)}"}}}}\t{specialist_id}\n'
                            )
                            counts[1] += 1
                            updated = cursor = apology_at
                    if at <= cursor:
                        at = cursor + between(30, 240)
                    at += not at % W
                    if at > now:
                        alive = False
                    else:
                        if transfer is not None:
                            transfers.append(
                                _transfer_row(did, transfer, at, moments, due_text, W, ends)
                            )
                            counts[2] += 1
                            transfer = None
                        timeliness = _timeliness(at, due, supplements, W, ends)
                        summary = f"Đã ký văn bản kết quả số {between(10, 999)}/{year}."
                        ev(
                            f"{did}\tresolved\t{status}\t9\t{moments[at]}\t\t{notes['resolved']}"
                            f'\tt\t{{"new": {{"timeliness": "{timeliness}"}}}}\t{specialist_id}\n'
                        )
                        counts[1] += 1
                        status, resolved, finished, updated, cursor = "9", at, at, at, at
                        step = ready

                # The paper result reaches the desk; the applicant collects the result.
                if alive and random_() < PAPER_SHARE:
                    at = cursor + between(30, 960)
                    at += not at % W
                    if at <= now:
                        ev(
                            f"{did}\tpaper_result_received\t\t\t{moments[at]}\t\t\tf\t{{}}\t"
                            f"{desk_id}\n"
                        )
                        counts[1] += 1
                        paper, updated, cursor = at, at, at
                    else:
                        alive = False
                if alive and random_() > NEVER_COLLECTED_SHARE:
                    at = cursor + between(30, 2400)
                    at += not at % W
                    if at <= now:
                        ev(
                            f"{did}\treturned\t9\t10\t{moments[at]}\t\t{notes['returned']}\tt\t"
                            f"{{}}\t{desk_id}\n"
                        )
                        counts[1] += 1
                        status, returned, updated, step = "10", at, at, ""
                if transfer is not None:
                    transfers.append(_transfer_row(did, transfer, None, moments, due_text, W, ends))
                    counts[2] += 1

                dossiers.append(
                    f"{did}\t{received_text}\t{moments[updated]}\t{code}\t{agency_id}\t{p.id}\t"
                    f"{profile}\t{p.amount}\t{p.unit}\t{applicant}\t"
                    f"{received_text if consent else NULL}\t{channel}\t1\t{note}\t{status}\t"
                    f"{received_text}\t{desk_id}\t{due_text(original_due)}\t{due_text(due)}\t"
                    f"{NULL if rescheduled is None else due_text(rescheduled)}\t"
                    f"{paused_minutes}\t{supplements}\t{step}\t{handler}\t{reason}\t"
                    f"{NULL if resolved is None else moments[resolved]}\t"
                    f"{NULL if paper is None else moments[paper]}\t"
                    f"{NULL if returned is None else moments[returned]}\t"
                    f"{NULL if finished is None else moments[finished]}\t"
                    f"{timeliness}\t{summary}\t\n"
                )
                if counts[0] >= batch_size or produced == count:
                    yield flush()


def _later(at: int, due: int, W: int, ends) -> bool:
    """Whether an action at office minute `at` comes after the due moment `due`.

    The same minute is later when it is the end of an office window: the due moment is the
    window's end (11:30), the action happens when the next window opens (13:30).
    """
    return at > due or (at == due and due % W in ends)


def _transfer_row(did: str, t: list, at: int | None, moments, due_text, W: int, ends) -> str:
    """A control-slip row; `at` closes it (outcome as services._close_current_transfer)."""
    position, from_unit, to_unit, task, sent, step_due, receiver, sender = t
    if at is None:
        completed, outcome = NULL, ""
    else:
        completed = moments[at]
        if _later(at, step_due, W, ends):
            outcome = Timeliness.LATE
        elif (at - 1) // W < (step_due - 1) // W:
            outcome = Timeliness.EARLY
        else:
            outcome = Timeliness.ON_TIME
    return (
        f"{did}\t{position}\t{from_unit}\t{to_unit}\t{task}\t{moments[sent]}\t"
        f"{due_text(step_due)}\t{completed}\t{outcome}\t{receiver}\t{sender}\n"
    )


def _timeliness(finished: int, due: int, supplements: int, W: int, ends) -> str:
    """dossiers.clock.timeliness_of, in office minutes."""
    if supplements > 1 or _later(finished, due, W, ends):
        return Timeliness.LATE
    if (finished - 1) // W < (due - 1) // W:
        return Timeliness.EARLY
    return Timeliness.ON_TIME
