"""Chasing the companies that have not answered: the non-responders list, the Excel call list and the escalation
list (no answer N days after the letter, N a setting of the letter), which the viewer role also sees."""

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlmodel import Session

from models import Role
from services.campaign.letters import active_campaign
from services.campaign.responses import NO_ANSWER, STATUS_LABELS, as_dates, recipients
from services.platform import audit, exports
from services.platform.authz import Actor, require_role
from services.platform.errors import NotFound

CALL_LIST_COLUMNS = {
    "company": "Perusahaan",
    "status_label": "Status",
    "days_since_letter": "Hari sejak surat",
    "sector": "Sektor",
    "kecamatan": "Kecamatan",
    "employees": "Karyawan",
    "reminders": "Pengingat sejauh ini",
    "last_contact": "Kontak terakhir",
    "contact_name": "Kontak",
    "contact_phone": "Telepon",
    "contact_email": "Email",
}


@dataclass(frozen=True)
class ChaseFilter:
    """Which non-responders to show: empty lists mean all."""

    kecamatan: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    min_days: int = 0
    query: str = ""


def filter_frame(frame: pd.DataFrame, chase: ChaseFilter) -> pd.DataFrame:
    """Narrow the non-responders (pure: the page and the Excel export show the same rows)."""
    out = frame
    if chase.kecamatan:
        out = out[out["kecamatan"].isin(chase.kecamatan)]
    if chase.sectors:
        out = out[out["sector"].isin(chase.sectors)]
    if chase.statuses:
        out = out[out["status"].isin(chase.statuses)]
    if chase.min_days > 0:
        out = out[out["days_since_letter"].fillna(-1) >= chase.min_days]
    q = chase.query.strip().lower()
    if q:
        out = out[out["company"].str.lower().str.contains(q, regex=False)]
    return out


def non_responders(
    *, session: Session, actor: Actor, chase: ChaseFilter | None = None, today: dt.date | None = None
) -> pd.DataFrame:
    """Recipients of the active letter without an answer (no pledge, no decline), longest waiting first."""
    require_role(actor, Role.ADMIN, session=session, action="chasing.view")
    frame = recipients(session=session, actor=actor, today=today)
    frame = frame[frame["status"].isin(NO_ANSWER)].copy()
    frame["status_label"] = frame["status"].map(STATUS_LABELS)
    frame["last_contact"] = as_dates(frame["last_contact"])
    frame = filter_frame(frame, chase or ChaseFilter())
    return frame.sort_values(["days_since_letter", "employees"], ascending=False, na_position="last").reset_index(
        drop=True
    )


def escalation(*, session: Session, actor: Actor, today: dt.date | None = None) -> tuple[int, pd.DataFrame]:
    """(N, the recipients without an answer N or more days after the letter was sent). City staff, viewers too."""
    require_role(actor, Role.ADMIN, Role.VIEWER, session=session, action="escalation.view")
    campaign = active_campaign(session=session)
    if campaign is None:
        raise NotFound("Belum ada surat edaran aktif.")
    frame = recipients(session=session, actor=actor, today=today)
    late = frame[
        frame["status"].isin(("sent", "opened")) & (frame["days_since_letter"].fillna(-1) >= campaign.escalation_days)
    ]
    late = late.assign(
        status_label=late["status"].map(STATUS_LABELS),
        last_contact=as_dates(late["last_contact"]),
    )
    columns = [
        "company",
        "status_label",
        "days_since_letter",
        "sector",
        "kecamatan",
        "employees",
        "reminders",
        "last_contact",
    ]
    return campaign.escalation_days, late.sort_values("days_since_letter", ascending=False)[columns].reset_index(
        drop=True
    )


def call_list_xlsx(*, session: Session, actor: Actor, chase: ChaseFilter | None = None) -> bytes:
    """The filtered non-responders as an Excel call list (contact details: made on the click, and audited)."""
    frame = non_responders(session=session, actor=actor, chase=chase)
    audit.record(session=session, actor=actor, action="chasing.export", entity="campaign", rows=len(frame))
    session.commit()
    out = frame[list(CALL_LIST_COLUMNS)].rename(columns=CALL_LIST_COLUMNS)
    out = out.astype(object).where(out.notna(), None)  # pandas' NA (no letter sent yet) as an empty cell
    return exports.to_xlsx(out, sheet_title="Daftar telepon", title="Penerima surat yang belum menjawab")
