"""Versioned rule profiles: what changed with the law on 1 July 2025 (DOMAIN.md §0, §5).

A dossier stores the code of the profile in force when it was received and keeps it for life:
slips are titled and numbered by that profile, whatever changes later. Rules that are not
verified (the once-only reschedule, the one-working-day apology lead) are settings, read here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class RuleProfileCode(models.TextChoices):
    ND61_2018 = "ND61_2018", _("Decree 61/2018 and Circular 01/2018/TT-VPCP")
    ND118_2025 = "ND118_2025", _("Decree 118/2025 and Circular 03/2025/TT-VPCP")


class Slip(models.TextChoices):
    RECEIPT = "receipt", _("Receipt and appointment slip")
    SUPPLEMENT = "supplement", _("Supplement request slip")
    GUIDANCE = "guidance", _("Guidance slip")
    REFUSAL = "refusal", _("Refusal slip")
    APOLOGY = "apology", _("Apology and new appointment")
    STOP = "stop", _("Notice of stopped processing")
    CONTROL = "control", _("Process control slip")
    LEDGER = "ledger", _("Dossier tracking ledger")


@dataclass(frozen=True)
class SlipForm:
    number: str  # form number in the circular's appendix
    title: str  # official Vietnamese title, printed as is


@dataclass(frozen=True)
class RuleProfile:
    code: str
    effective_from: date
    legal_basis: str
    forms: dict[str, SlipForm] = field(default_factory=dict)

    def form(self, slip: str) -> SlipForm:
        return self.forms[slip]

    @property
    def max_reschedules(self) -> int:
        # "hẹn lại ngày trả kết quả … không quá một lần" [U], hence a setting.
        return settings.DOSSIER_MAX_RESCHEDULES

    @property
    def apology_lead_working_days(self) -> int:
        # Apology at least 1 working day before the due date [S], hence a setting.
        return settings.DOSSIER_APOLOGY_LEAD_WORKING_DAYS


# Circular 01/2018/TT-VPCP: the form names and form 02 are [V]; other numbers usual [U].
ND61_2018 = RuleProfile(
    code=RuleProfileCode.ND61_2018,
    effective_from=date(2018, 6, 21),
    legal_basis="Nghị định 61/2018/NĐ-CP; Nghị định 107/2021/NĐ-CP; Thông tư 01/2018/TT-VPCP",
    forms={
        Slip.RECEIPT: SlipForm("01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
        Slip.SUPPLEMENT: SlipForm("02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
        Slip.GUIDANCE: SlipForm("02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
        Slip.REFUSAL: SlipForm("03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
        Slip.APOLOGY: SlipForm("04", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"),
        Slip.STOP: SlipForm("—", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"),
        Slip.CONTROL: SlipForm("05", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
        Slip.LEDGER: SlipForm("06", "SỔ THEO DÕI HỒ SƠ"),
    },
)

# Circular 03/2025/TT-VPCP Appendix I [S] (DOMAIN.md §5).
ND118_2025 = RuleProfile(
    code=RuleProfileCode.ND118_2025,
    effective_from=date(2025, 7, 1),
    legal_basis="Nghị định 118/2025/NĐ-CP; Thông tư 03/2025/TT-VPCP",
    forms={
        Slip.RECEIPT: SlipForm("01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
        Slip.SUPPLEMENT: SlipForm("02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
        Slip.GUIDANCE: SlipForm("02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
        Slip.REFUSAL: SlipForm("03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
        Slip.APOLOGY: SlipForm("04", "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"),
        Slip.STOP: SlipForm("05", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ"),
        Slip.CONTROL: SlipForm("06", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
        Slip.LEDGER: SlipForm("07", "SỔ THEO DÕI HỒ SƠ"),
    },
)

PROFILES = {p.code: p for p in (ND61_2018, ND118_2025)}


def profile_for(day: date) -> RuleProfile:
    """The profile in force on `day` (the latest whose effective date is not after it)."""
    eligible = [p for p in PROFILES.values() if p.effective_from <= day]
    if not eligible:
        return ND61_2018
    return max(eligible, key=lambda p: p.effective_from)


def get_profile(code: str) -> RuleProfile:
    return PROFILES[code]
