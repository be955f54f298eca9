"""Reads of the satisfaction app that carry rules (STYLE.md: selectors).

- `survey`: the public side (which survey version, whether a link may be answered, code + phone
  entry, kiosk tablets).
- `index`: the satisfaction index per criterion, procedure, officer and month, the public
  summary, follow-up reads and the 766 indicator 5.4 estimate.

Everything is re-exported here: callers import from `satisfaction.selectors`.
"""

from .index import (  # noqa: F401
    ALL_FIGURES_PERMISSION,
    OWN_FIGURES_PERMISSION,
    CriterionFigures,
    FacilityTable,
    FollowUpFilters,
    FollowUpNotFound,
    GroupIndex,
    IndexEstimate,
    IndexForbidden,
    IndexGrouping,
    IndexReport,
    IndexScope,
    PublicMonth,
    PublicSummary,
    SatisfactionIndex,
    criteria_labels,
    day_start,
    expectations,
    facility_counts_by_month,
    facility_labels,
    followup_counts,
    followup_detail,
    followup_list,
    followup_reason_summary,
    index_by,
    index_officers,
    index_procedures,
    index_report,
    index_scope,
    month_starts,
    monthly_trend,
    newest_versions,
    public_summary,
    satisfaction_index,
    tthc_satisfaction_estimate,
    visible_followups,
)
from .survey import (  # noqa: F401
    RESULT_STATUSES,
    LinkCheck,
    LinkState,
    active_survey,
    dossier_for_survey,
    invitation_check,
    invitation_expiry,
    kiosk_device_by_token,
    kiosk_devices,
    link_state,
    user_agency_id,
)
