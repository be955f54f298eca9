"""Selectors for the printable slips of a dossier (DOMAIN.md §5).

Each slip is a legal Vietnamese document: titles and form numbers come from the dossier's rule
profile (the one in force when it was received, dossiers.rules), the wording from DOMAIN.md §5,
printed as is and never translated. The context of every slip is built in a fixed, small number
of queries (the dossier with its agency, procedure and officers in one; at most one per related
list), whatever the number of documents or hand-overs.

Which slips exist depends on the dossier's state (`available_slips`); asking for another one is
a 404, like a dossier the user may not see. Called by dossiers.views.slips.

The receipt slip also invites the citizen to rate the service once the result is ready (issue
7): a second QR code holding the dossier's survey link (satisfaction.services.
invitation_for_dossier, created on first print) and the short address of the survey page.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe

from core.calendar import TimeUnit
from core.pdf import document_header, official_date, official_datetime
from core.qr import qr_svg

from .constants import DocumentKind, DossierStatus, PauseKind
from .ledger import TIMELINESS_VI, ledger_number, phone_display
from .models import Dossier, DossierApology, DossierPause, IntakeGuidance
from .permissions import DossierNotFound, visible_dossiers
from .rules import RuleProfileCode, Slip, get_profile
from .tokens import lookup_url

# The slips printed for a dossier, in the order a dossier meets them.
DOSSIER_SLIPS = (
    Slip.RECEIPT,
    Slip.SUPPLEMENT,
    Slip.REFUSAL,
    Slip.APOLOGY,
    Slip.STOP,
    Slip.CONTROL,
)

# DOMAIN.md §5.1: original / certified copy / copy.
DOCUMENT_KIND_VI = {
    DocumentKind.ORIGINAL: "Bản chính",
    DocumentKind.CERTIFIED_COPY: "Bản sao có chứng thực",
    DocumentKind.COPY: "Bản sao",
}
TIME_UNIT_VI = {
    TimeUnit.WORKING_DAYS: "ngày làm việc",
    TimeUnit.CALENDAR_DAYS: "ngày",
    TimeUnit.WORKING_HOURS: "giờ làm việc",
}
DESK_NAME = "Bộ phận Một cửa"
# The line with the new date on form 04: DOMAIN.md §5.4 gives the ND61_2018 wording; the
# ND118_2025 one follows that form's title ("đề nghị gia hạn") [U: text of Circular 03/2025].
NEW_DUE_LABEL = {
    RuleProfileCode.ND61_2018: "Thời gian hẹn trả kết quả lại",
    RuleProfileCode.ND118_2025: "Thời gian đề nghị gia hạn trả kết quả",
}
APPLICANT_UNIT = "Tổ chức, cá nhân"


def processing_time_text(amount: Decimal, unit: str) -> str:
    """ "05 ngày làm việc", "0,5 ngày làm việc" (Vietnamese decimal comma)."""
    if amount == amount.to_integral_value():
        number = f"{int(amount):02d}"
    else:
        number = f"{amount.normalize():f}".replace(".", ",")
    return f"{number} {TIME_UNIT_VI.get(unit, unit)}"


def two_digits(value: int) -> str:
    return f"{value:02d}"


# --- lookup -------------------------------------------------------------------------------


def dossier_for_slips(*, user, code: str) -> Dossier:
    """The dossier with what every slip needs, if `user` may see it; DossierNotFound otherwise.

    One query: agency, procedure and officers joined; flags for the optional slips annotated.
    """
    queryset = (
        visible_dossiers(user)
        .select_related("agency", "procedure", "received_by", "handler")
        .annotate(
            has_supplement_request=Exists(
                DossierPause.objects.filter(dossier=OuterRef("pk"), kind=PauseKind.SUPPLEMENT)
            ),
            has_apology=Exists(DossierApology.objects.filter(dossier=OuterRef("pk"))),
        )
    )
    try:
        return queryset.get(code=code)
    except Dossier.DoesNotExist as error:
        raise DossierNotFound from error


def guidance_for_slip(*, user, pk: int) -> IntakeGuidance:
    """A guidance slip of the user's agency, for staff who may see guidance slips.

    There is no dossier, so dossiers.permissions does not apply: the row belongs to the agency,
    and desk officers, leaders and administrators hold `dossiers.view_intakeguidance`; the
    officer who issued it may always reprint it. DossierNotFound (404) otherwise.
    """
    queryset = IntakeGuidance.objects.select_related("agency", "procedure", "issued_by")
    guidance = queryset.filter(pk=pk).first()
    if guidance is None or not user.is_authenticated or not user.is_active:
        raise DossierNotFound
    if user.is_superuser or guidance.issued_by_id == user.pk:
        return guidance
    department = getattr(user, "department", None)
    same_agency = department is not None and department.agency_id == guidance.agency_id
    if same_agency and user.has_perm("dossiers.view_intakeguidance"):
        return guidance
    raise DossierNotFound


# --- which slips --------------------------------------------------------------------------


def _flag(dossier, name: str, queryset) -> bool:
    value = getattr(dossier, name, None)
    return queryset.exists() if value is None else value


def available_slips(dossier: Dossier) -> list[str]:
    """The slips that exist for the dossier now, in DOSSIER_SLIPS order.

    - receipt and control slip: once accepted (it has a due date);
    - supplement request: after a request for documents (not for a fee payment);
    - refusal: refused at intake; stop notice: processing stopped;
    - apology and new appointment: after a reschedule.
    Uses the flags of `dossier_for_slips`, or two small queries without them.
    """
    accepted = dossier.original_due_at is not None
    present = {
        Slip.RECEIPT: accepted,
        Slip.SUPPLEMENT: _flag(
            dossier,
            "has_supplement_request",
            dossier.pauses.filter(kind=PauseKind.SUPPLEMENT),
        ),
        Slip.REFUSAL: dossier.status == DossierStatus.REFUSED,
        Slip.APOLOGY: _flag(dossier, "has_apology", dossier.apologies.all()),
        Slip.STOP: dossier.status == DossierStatus.STOPPED,
        Slip.CONTROL: accepted,
    }
    return [slip for slip in DOSSIER_SLIPS if present[slip]]


# --- context ------------------------------------------------------------------------------


def _applicant(dossier) -> dict:
    return {
        "name": dossier.applicant_name,
        "organisation": dossier.organisation_name,
        "id_number": dossier.applicant_id_number,
        "address": dossier.applicant_address,
        "phone": phone_display(dossier.applicant_phone),
        "email": dossier.applicant_email,
    }


def person_name(user) -> str:
    """A staff member's name in Vietnamese order: family name first ("Nguyễn Văn A").

    accounts.User keeps Django's fields: `last_name` is the family name, `first_name` the
    middle and given names, so `get_full_name()` would print them the Western way round.
    """
    name = f"{user.last_name} {user.first_name}".strip()
    return name or user.username


def _officer(user) -> dict:
    if user is None:
        return {"name": "", "phone": ""}
    return {"name": person_name(user), "phone": user.phone}


def _common(dossier: Dossier, slip: str, *, issued_at, number: str = "") -> dict:
    form = dossier.profile.form(slip)
    return {
        "slip": slip,
        "form": form,
        "title": form.title,
        "header": document_header(
            dossier.agency, issued_at=issued_at, number=number, form_number=form.number
        ),
        "dossier": dossier,
        "code": dossier.code,
        # Line breaks allowed after each hyphen under the QR code (a hyphen before digits is
        # not a break opportunity in Unicode line breaking).
        "code_wrapped": mark_safe("-<wbr>".join(escape(p) for p in dossier.code.split("-"))),  # noqa: S308
        "agency": dossier.agency,
        "receiving_unit": f"{DESK_NAME} - {dossier.agency.name}",
        "qr": qr_svg(lookup_url(dossier.code), title=f"Mã hồ sơ {dossier.code}"),
        "applicant": _applicant(dossier),
        "procedure_name": dossier.procedure.name,
        "received_text": official_datetime(dossier.received_at),
        "appointment_text": (
            official_datetime(dossier.appointment_at) if dossier.appointment_at else ""
        ),
        "available_slips": available_slips(dossier),
    }


def _receipt(dossier: Dossier) -> dict:
    context = _common(dossier, Slip.RECEIPT, issued_at=dossier.received_at, number=dossier.code)
    documents = [
        {
            "no": index,
            "name": document.name,
            "kind": DOCUMENT_KIND_VI.get(document.kind, document.kind),
            "quantity": two_digits(document.quantity),
        }
        for index, document in enumerate(dossier.documents.order_by("id"), start=1)
    ]
    book, number = ledger_number(dossier) or ("", "")
    procedure = dossier.procedure
    context.update(
        documents=documents,
        set_count=two_digits(dossier.set_count),
        processing_time=processing_time_text(
            dossier.processing_time_amount, dossier.processing_time_unit
        ),
        # The appointment given at intake; a later one comes with the apology slip.
        appointment_text=official_datetime(dossier.original_due_at),
        result_place=procedure.receiving_address
        or f"{DESK_NAME} - {dossier.agency.name}, {dossier.agency.address}",
        fee=procedure.fee_description.strip() or "Không",
        ledger_book=book,
        ledger_number=number,
        receiver=_officer(dossier.received_by),
        **_survey(dossier),
    )
    return context


def _survey(dossier: Dossier) -> dict:
    """The satisfaction survey invitation printed on the receipt slip: a QR code of the
    dossier's survey link (marked as coming from a QR code) and the survey page's short address
    (code + last 4 phone digits). The one place the slips call the satisfaction app."""
    from satisfaction.constants import ResponseSource
    from satisfaction.services import invitation_for_dossier
    from satisfaction.tokens import survey_url

    invitation = invitation_for_dossier(dossier=dossier)
    link = survey_url(invitation.token, source=ResponseSource.QR)
    return {
        "survey_link": link,
        "survey_qr": qr_svg(link, title="Đánh giá sự hài lòng", css_class="qr survey-qr"),
        "survey_page": settings.PUBLIC_BASE_URL.rstrip("/") + reverse("satisfaction:entry"),
    }


def _supplement(dossier: Dossier, pause_id) -> dict:
    pauses = list(
        dossier.pauses.filter(kind=PauseKind.SUPPLEMENT)
        .select_related("started_by")
        .order_by("started_at", "id")
    )
    if not pauses:
        raise DossierNotFound
    if pause_id in (None, ""):
        position, pause = len(pauses), pauses[-1]
    else:
        matches = [(i, p) for i, p in enumerate(pauses, start=1) if str(p.pk) == str(pause_id)]
        if not matches:
            raise DossierNotFound
        position, pause = matches[0]
    context = _common(
        dossier,
        Slip.SUPPLEMENT,
        issued_at=pause.started_at,
        number=f"{two_digits(position)}/HDHS",
    )
    context.update(
        pause=pause,
        items=[str(item) for item in pause.items],
        reason=pause.reason,
        legal_basis=pause.legal_basis or dossier.procedure.legal_basis,
        guide=_officer(pause.started_by),
        hotline=dossier.agency.hotline,
        requested_text=official_datetime(pause.started_at),
    )
    return context


def _refusal(dossier: Dossier) -> dict:
    issued_at = dossier.finished_at or dossier.received_at
    context = _common(dossier, Slip.REFUSAL, issued_at=issued_at)
    context.update(
        reasons=[line.strip() for line in dossier.refusal_reason.splitlines() if line.strip()],
        receiver=_officer(dossier.received_by),
        hotline=dossier.agency.hotline,
    )
    return context


def _apology(dossier: Dossier) -> dict:
    apology = dossier.apologies.select_related("issued_by").order_by("-sequence").first()
    if apology is None:
        raise DossierNotFound
    context = _common(dossier, Slip.APOLOGY, issued_at=apology.issued_at)
    context.update(
        apology=apology,
        reason=apology.reason,
        previous_due_text=official_datetime(apology.previous_due_at),
        new_due_text=official_datetime(apology.new_due_at),
        new_due_label=NEW_DUE_LABEL[dossier.rule_profile],
        received_on=official_date(dossier.received_at),
        signer=apology.signed_by or _officer(apology.issued_by)["name"],
    )
    return context


def _stop(dossier: Dossier) -> dict:
    issued_at = dossier.finished_at or dossier.received_at
    context = _common(dossier, Slip.STOP, issued_at=issued_at)
    context.update(
        reasons=[line.strip() for line in dossier.refusal_reason.splitlines() if line.strip()],
        received_on=official_date(dossier.received_at),
        hotline=dossier.agency.hotline,
    )
    return context


def _control_rows(dossier: Dossier) -> list[dict]:
    """One row per hand-over, then the result's way back to the desk and to the applicant."""
    rows = []
    last_unit = ""
    transfers = dossier.transfers.select_related("sender", "receiver").order_by("sent_at", "id")
    for transfer in transfers:
        rows.append(
            {
                "from_unit": transfer.from_unit,
                "to_unit": transfer.to_unit,
                "task": transfer.task,
                "sent_text": official_datetime(transfer.sent_at),
                "sender": _officer(transfer.sender)["name"],
                "receiver": _officer(transfer.receiver)["name"] if transfer.receiver else "",
                "outcome": TIMELINESS_VI.get(transfer.outcome, ""),
                "step_due_text": (
                    official_datetime(transfer.step_due_at) if transfer.step_due_at else ""
                ),
            }
        )
        last_unit = transfer.to_unit
    back_at = dossier.paper_result_received_at or dossier.resolved_at
    if back_at:
        rows.append(
            {
                "from_unit": last_unit or dossier.procedure.implementing_agency,
                "to_unit": DESK_NAME,
                "task": "Chuyển kết quả giải quyết",
                "sent_text": official_datetime(back_at),
                "sender": "",
                "receiver": "",
                "outcome": TIMELINESS_VI.get(dossier.timeliness, ""),
                "step_due_text": official_datetime(dossier.due_at) if dossier.due_at else "",
            }
        )
    if dossier.returned_at:
        rows.append(
            {
                "from_unit": DESK_NAME,
                "to_unit": APPLICANT_UNIT,
                "task": "Trả kết quả",
                "sent_text": official_datetime(dossier.returned_at),
                "sender": "",
                "receiver": dossier.applicant_name,
                "outcome": "",
                "step_due_text": "",
            }
        )
    for number, row in enumerate(rows, start=1):
        row["no"] = number
    return rows


def _control(dossier: Dossier) -> dict:
    context = _common(dossier, Slip.CONTROL, issued_at=dossier.received_at, number=dossier.code)
    rows = _control_rows(dossier)
    is_open = dossier.finished_at is None
    context.update(
        rows=rows,
        # Open dossiers get empty rows for hand-overs written by hand on the paper copy.
        blank_rows=range(2 if is_open else 0),
    )
    return context


def slip_context(dossier: Dossier, slip: str, *, pause_id=None) -> dict:
    """Everything the template of `slip` prints for `dossier`; DossierNotFound (404) when the
    slip does not exist for the dossier in its current state."""
    if slip not in available_slips(dossier):
        raise DossierNotFound
    if slip == Slip.RECEIPT:
        return _receipt(dossier)
    if slip == Slip.SUPPLEMENT:
        return _supplement(dossier, pause_id)
    if slip == Slip.REFUSAL:
        return _refusal(dossier)
    if slip == Slip.APOLOGY:
        return _apology(dossier)
    if slip == Slip.STOP:
        return _stop(dossier)
    return _control(dossier)


def guidance_context(guidance: IntakeGuidance) -> dict:
    """The guidance slip (form 02 layout, no dossier code: nothing was accepted)."""
    form = get_profile(guidance.rule_profile).form(Slip.GUIDANCE)
    agency = guidance.agency
    return {
        "slip": Slip.GUIDANCE,
        "form": form,
        "title": form.title,
        "header": document_header(
            agency, issued_at=guidance.created_at, number=guidance.number, form_number=form.number
        ),
        "agency": agency,
        "guidance": guidance,
        "code": "",
        "qr": "",
        "receiving_unit": f"{DESK_NAME} - {agency.name}",
        "applicant": {
            "name": guidance.applicant_name,
            "organisation": "",
            "id_number": "",
            "address": guidance.applicant_address,
            "phone": phone_display(guidance.applicant_phone) if guidance.applicant_phone else "",
            "email": "",
        },
        "procedure_name": guidance.procedure.name,
        "items": [str(item) for item in guidance.items],
        "reason": guidance.reason,
        "legal_basis": guidance.procedure.legal_basis,
        "guide": _officer(guidance.issued_by),
        "hotline": agency.hotline,
        "requested_text": official_datetime(guidance.created_at),
        "available_slips": [],
    }


def slip_template(slip: str) -> str:
    if slip == Slip.GUIDANCE:
        return "dossiers/slips/supplement.html"
    return f"dossiers/slips/{slip}.html"
