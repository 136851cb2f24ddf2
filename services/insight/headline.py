"""The city dashboard's headline: where the campaign stands now and how much that moved in the last 30 days.

"Now" and "30 days ago" are the same question asked of the state history at two moments
(`services.insight.asof`): protected = a card whose cover runs that day; in process = matched or registered, or
a card whose cover has not started; pledged and Rupiah from the pledges as they stood then; companies and
letters by their timestamps. The quarterly report asks the same question at the quarter's end, so the two agree
when made at the same moment. The headline also warns of cover ending within 30 days (not yet renewed).
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import case
from sqlmodel import Session, col, func, select

from models import Campaign, LetterRecipient, Role
from services.insight.asof import CARD_STATUSES, end_of_day, ending_soon, pledge_totals, state_counts
from services.insight.catalogue import FigureDef, register
from services.insight.dashboard import active_campaign, campaign_progress
from services.platform.authz import Actor, require_role

__all__ = ["CARD_STATUSES", "CITY_ROLES", "Headline", "Snapshot", "end_of_day", "headline", "snapshot"]

CITY_ROLES = (Role.ADMIN, Role.VIEWER)
ENDING_DAYS = 30

register(
    FigureDef(
        key="cover_ending_30d",
        label="Perlindungan berakhir ≤ 30 hari",
        definition=(
            "Pekerja yang perlindungannya berjalan hari ini dan berakhir dalam 30 hari, belum diperpanjang "
            "(tidak ada kartu atau pendaftaran berikutnya untuk mereka)."
        ),
        unit="pekerja",
        rounding="bilangan bulat",
        compute=lambda **kw: ending_soon(kw["session"], kw["campaign_id"], kw["day"]),
        audience=("kota",),
    )
)
register(
    FigureDef(
        key="cover_ending_30d_share",
        label="Porsi perlindungan berakhir ≤ 30 hari",
        definition="Perlindungan berakhir ≤ 30 hari dibagi pekerja terlindungi hari ini.",
        unit="persen",
        rounding="1 desimal, sekali",
        audience=("kota",),
    )
)


@dataclass(frozen=True)
class Snapshot:
    """The campaign's numbers as of one day (reconstructed from dates)."""

    as_of: dt.date
    protected: int
    in_process: int
    pledged: int
    rupiah: int
    companies_participating: int
    letters_sent: int


@dataclass(frozen=True)
class Figure:
    now: int
    before: int  # 30 days earlier

    @property
    def change(self) -> int:
        return self.now - self.before


@dataclass(frozen=True)
class Headline:
    today: dt.date
    letter_number: str
    letter_date: dt.date
    target: int
    premium: int
    suggested_min_workers: int
    protected: Figure
    in_process: Figure
    pledged: Figure
    rupiah: Figure
    companies_participating: Figure
    letters_sent: Figure
    ending_30d: int = 0  # protected today, cover ending within 30 days and not yet renewed

    @property
    def ending_30d_share(self) -> float:
        return self.ending_30d / self.protected.now if self.protected.now else 0.0

    @property
    def progress(self) -> float:
        return self.protected.now / self.target if self.target else 0.0

    @property
    def participation(self) -> float:
        return self.companies_participating.now / self.letters_sent.now if self.letters_sent.now else 0.0


def protected_on(session: Session, campaign_id: int, day: dt.date) -> int:
    """Distinct workers whose cover (card issued) ran on `day`, as the history says it stood then."""
    return state_counts(session, campaign_id, day)[0]


def letters_on(session: Session, campaign_id: int, cut: dt.datetime) -> tuple[int, int]:
    """(letters sent, companies that answered) by the timestamp `cut`."""
    sent, answered = session.exec(
        select(
            func.coalesce(func.sum(case((col(LetterRecipient.sent_at) <= cut, 1), else_=0)), 0),
            func.coalesce(func.sum(case((col(LetterRecipient.responded_at) <= cut, 1), else_=0)), 0),
        ).where(LetterRecipient.campaign_id == campaign_id)
    ).one()
    return int(sent), int(answered)


def snapshot(*, session: Session, campaign: Campaign, as_of: dt.date) -> Snapshot:
    """Every headline number as it stood at the end of `as_of` (from the state history)."""
    assert campaign.id is not None
    protected, in_process = state_counts(session, campaign.id, as_of)
    pledged, rupiah = pledge_totals(session, campaign.id, as_of)
    letters, participating = letters_on(session, campaign.id, end_of_day(as_of))
    return Snapshot(
        as_of=as_of,
        protected=protected,
        in_process=in_process,
        pledged=pledged,
        rupiah=rupiah,
        companies_participating=participating,
        letters_sent=letters,
    )


# A Snapshot field -> the catalogue's figure of the same meaning (CampaignProgress.figures).
_CATALOGUE_OF = {
    "protected": "protected_now",
    "in_process": "in_process",
    "pledged": "workers_pledged",
    "rupiah": "rupiah_committed",
    "companies_participating": "companies_pledged",
    "letters_sent": "letters_sent",
}


def _now(now: object, field: str) -> int:
    if isinstance(now, Snapshot):
        return int(getattr(now, field))
    return int(now[_CATALOGUE_OF[field]])  # type: ignore[index]


def headline(*, session: Session, actor: Actor, today: dt.date | None = None) -> Headline | None:
    """The dashboard's headline with the change over the last 30 days; None without an active campaign."""
    require_role(actor, *CITY_ROLES, session=session, action="insight.headline")
    campaign = active_campaign(session=session)
    if campaign is None or campaign.id is None:
        return None
    today = today or dt.date.today()
    # "Now", on the live dashboard, is the catalogue's figure (the same value on every surface); a headline asked
    # for a past day, and "then", are read from the state history (the commands write both, so they agree).
    current = campaign_progress(session=session) if today >= dt.date.today() else None
    now = current if current is not None else snapshot(session=session, campaign=campaign, as_of=today)
    then = snapshot(session=session, campaign=campaign, as_of=today - dt.timedelta(days=ENDING_DAYS))
    return Headline(
        today=today,
        letter_number=campaign.letter_number,
        letter_date=campaign.letter_date,
        target=campaign.target_workers,
        premium=campaign.premium_jkk_jkm,
        suggested_min_workers=campaign.suggested_min_workers,
        protected=Figure(_now(now, "protected"), then.protected),
        in_process=Figure(_now(now, "in_process"), then.in_process),
        pledged=Figure(_now(now, "pledged"), then.pledged),
        rupiah=Figure(_now(now, "rupiah"), then.rupiah),
        companies_participating=Figure(_now(now, "companies_participating"), then.companies_participating),
        letters_sent=Figure(_now(now, "letters_sent"), then.letters_sent),
        ending_30d=ending_soon(session, campaign.id, today, ENDING_DAYS),
    )
