"""A pledge's pure rules: price, validation, the derived 'expiring' state, reminders, timeline.

No database access at all (no session, no SQL): unit-tested as plain functions.
"""

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd

from models import (
    AssignmentStatus,
    PledgeStatus,
)
from services.platform import fmt
from services.platform.dates import add_months, month_start
from services.platform.errors import ValidationError

MAX_WORKERS = 10_000  # one pledge; larger commitments go through Disnaker
MAX_MONTHS = 24
MONTH_CHOICES = (1, 3, 6, 12, 24)
MAX_RADIUS_KM = 25.0
MAX_START_AHEAD_MONTHS = 12
RENEWAL_WINDOW_DAYS = 60
REMINDER_DAYS = (60, 30, 7)
EXPIRING = "expiring"  # derived, never stored
WAITING = "waiting"  # derived: a renewal whose cover starts in a later month (its cards are not running yet)

STATUS_LABELS: dict[str, str] = {
    PledgeStatus.SUBMITTED: "Terkirim",
    PledgeStatus.MATCHED: "Pekerja dicocokkan",
    PledgeStatus.REGISTERED: "Didaftarkan ke BPJS",
    WAITING: "Menunggu mulai",
    PledgeStatus.ACTIVE: "Aktif",
    EXPIRING: "Segera berakhir",
    PledgeStatus.EXPIRED: "Berakhir",
    PledgeStatus.RENEWED: "Diperpanjang",
    PledgeStatus.CANCELLED: "Dibatalkan",
}
ASSIGNMENT_LABELS: dict[str, str] = {
    AssignmentStatus.ASSIGNED: "Dicocokkan",
    AssignmentStatus.REGISTERED: "Didaftarkan ke BPJS",
    WAITING: "Menunggu mulai",
    AssignmentStatus.ACTIVE: "Kartu terbit (aktif)",
    EXPIRING: "Segera berakhir",
    AssignmentStatus.EXPIRED: "Berakhir",
    AssignmentStatus.RENEWED: "Diperpanjang",
    AssignmentStatus.RELEASED: "Dilepas",
}
TIMELINE = (
    PledgeStatus.SUBMITTED,
    PledgeStatus.MATCHED,
    PledgeStatus.REGISTERED,
    PledgeStatus.ACTIVE,
    EXPIRING,
)


# ---------------------------------------------------------------------------------------------------------------
# Plain data


@dataclass(frozen=True)
class PledgeDraft:
    """What the company typed in the pledge form."""

    workers: int
    months: int
    start_month: dt.date
    include_jht: bool = False
    radius_km: float | None = None
    kelurahan_codes: tuple[str, ...] = ()
    occupations: tuple[str, ...] = ()


@dataclass(frozen=True)
class FormContext:
    company_id: int
    company_name: str
    campaign_id: int
    letter_number: str
    suggested_min_workers: int
    premium_jkk_jkm: int
    premium_jht: int
    site_lat: float | None
    site_lon: float | None
    earliest_start: dt.date
    latest_start: dt.date
    kelurahan: pd.DataFrame  # kelurahan_code, kelurahan_name, kecamatan_name, lat, lon
    occupations: list[str]


@dataclass(frozen=True)
class Quote:
    premium_per_worker_month: int
    per_month: int
    total: int
    cover_end: dt.date
    eligible_in_area: int
    notes: list[str]


@dataclass(frozen=True)
class MatchOutcome:
    requested: int
    assigned: int
    shortfall: int
    explanation: str


@dataclass(frozen=True)
class PledgeOutcome:
    pledge_id: int
    created: bool  # False: this submission had already created the pledge (double click, rerun)
    match: MatchOutcome


@dataclass(frozen=True)
class TimelineStep:
    status: str
    label: str
    state: str  # "done", "current", "todo"


@dataclass(frozen=True)
class PledgeSummary:
    pledge_id: int
    status: str  # stored status
    shown_status: str  # with the derived 'expiring'
    status_label: str
    workers: int
    months: int
    start_month: dt.date
    cover_end: dt.date
    include_jht: bool
    premium_per_worker_month: int
    per_month: int
    total: int
    radius_km: float | None
    kelurahan_codes: list[str]
    occupations: list[str]
    assigned: int  # workers holding a place in this pledge (assigned, registered, active)
    registered: int
    active: int
    renewed_from_id: int | None
    renewal_id: int | None
    days_left: int | None
    reminder_days: int | None  # 60, 30 or 7 when a reminder is due
    renewal_opens: dt.date
    can_raise: bool
    can_renew: bool
    can_cancel: bool
    created_at: dt.datetime
    timeline: list[TimelineStep] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------------------------
# Pure rules


def premium_per_worker_month(*, premium_jkk_jkm: int, premium_jht: int, include_jht: bool) -> int:
    return premium_jkk_jkm + (premium_jht if include_jht else 0)


def pledge_cost(*, workers: int, months: int, premium: int) -> tuple[int, int]:
    """(per month, total) in Rupiah."""
    per_month = workers * premium
    return per_month, per_month * months


class DraftError(ValidationError):
    """Problems with a pledge form, each under the field it concerns (`fields`: field name → message)."""

    def __init__(self, fields: dict[str, str]) -> None:
        super().__init__("Periksa isian berikut:\n\n" + "\n".join(f"- {m}" for m in fields.values()))
        self.fields = fields


def workers_problem(workers: object, *, minimum: int = 1) -> str | None:
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < minimum:
        if minimum > 1:
            return f"Jumlah pekerja minimal {fmt.number(minimum)} (jumlah ikrar sebelumnya). Jumlahnya boleh ditambah."
        return "Jumlah pekerja minimal 1. Isi berapa pekerja rentan yang ingin Anda lindungi, misalnya 100."
    if workers > MAX_WORKERS:
        return (
            f"Jumlah pekerja paling banyak {fmt.number(MAX_WORKERS)} per ikrar. "
            "Untuk komitmen lebih besar, buat beberapa ikrar atau hubungi Disnaker."
        )
    return None


def read_workers(text: str, *, minimum: int = 1) -> int:
    """The number of workers as typed ('148', '1.000'); anything else is refused with the reason, never rounded."""
    try:
        workers = fmt.parse_whole(text)
    except ValueError:
        raise DraftError(
            {"workers": f"Jumlah pekerja harus bilangan bulat, misalnya 100 (bukan “{text.strip()}”)."}
        ) from None
    problem = workers_problem(workers, minimum=minimum)
    if problem:
        raise DraftError({"workers": problem})
    return workers


def read_radius(text: str) -> float | None:
    """The radius as typed ('3', '2,5', '2.5'; empty or 0: no radius). Range checked with the draft."""
    if not text.strip():
        return None
    try:
        return fmt.parse_decimal(text) or None
    except ValueError:
        raise DraftError({"radius_km": "Radius harus berupa angka dalam km, misalnya 3 atau 2,5."}) from None


def area_problem(radius: float | None, kelurahan_codes: tuple[str, ...]) -> str | None:
    if radius is not None and radius != 0:
        if radius < 0:
            return "Radius tidak boleh negatif. Isi jarak dalam km, misalnya 3."
        if radius > MAX_RADIUS_KM:
            return (
                f"Radius paling jauh {fmt.decimal(MAX_RADIUS_KM)} km. "
                "Perkecil radius atau pilih kelurahan satu per satu."
            )
        return None
    if not kelurahan_codes:
        return "Tentukan area: isi radius di sekitar lokasi perusahaan (1–25 km) atau pilih kelurahan."
    return None


def read_form_numbers(workers: str, radius: str, kelurahan_codes: tuple[str, ...]) -> tuple[int, float | None]:
    """The pledge form's typed numbers, read together: every field's problem is reported at once, each under its
    own field (a bad worker count does not hide a bad radius)."""
    problems: dict[str, str] = {}
    count, km = 0, None
    try:
        count = read_workers(workers)
    except DraftError as exc:
        problems.update(exc.fields)
    try:
        km = read_radius(radius)
    except DraftError as exc:
        problems.update(exc.fields)
    else:
        if problem := area_problem(km, kelurahan_codes):
            problems["radius_km"] = problem
    if problems:
        raise DraftError(problems)
    return count, km


def draft_problems(draft: PledgeDraft, *, today: dt.date) -> dict[str, str]:
    """Every problem with the typed values, in Indonesian, each saying what to do, by field. Empty: acceptable."""
    errors: dict[str, str] = {}
    if problem := workers_problem(draft.workers):
        errors["workers"] = problem
    if not isinstance(draft.months, int) or not 1 <= draft.months <= MAX_MONTHS:
        errors["months"] = f"Lama perlindungan harus 1 sampai {MAX_MONTHS} bulan. Pilih salah satu, misalnya 12 bulan."
    earliest = month_start(today)
    latest = add_months(today, MAX_START_AHEAD_MONTHS)
    if draft.start_month < earliest:
        errors["start_month"] = "Bulan mulai sudah lewat. Pilih bulan ini atau bulan berikutnya."
    elif draft.start_month > latest:
        errors["start_month"] = "Bulan mulai paling lambat 12 bulan dari sekarang. Pilih bulan yang lebih dekat."
    if problem := area_problem(draft.radius_km, draft.kelurahan_codes):
        errors["radius_km"] = problem
    return errors


def validate_draft(draft: PledgeDraft, *, today: dt.date) -> list[str]:
    """Every problem with the typed values, in Indonesian, each saying what to do. Empty: acceptable."""
    return list(draft_problems(draft, today=today).values())


def derived_status(status: str, end: dt.date, today: dt.date, start: dt.date | None = None) -> str:
    """'waiting' for an active pledge (a renewal) whose cover starts in a later month; 'expiring' for an active
    pledge whose cover ends within 60 days (never stored)."""
    if status == PledgeStatus.ACTIVE and start is not None and today < start:
        return WAITING
    if status == PledgeStatus.ACTIVE and today <= end and (end - today).days <= RENEWAL_WINDOW_DAYS:
        return EXPIRING
    if status == PledgeStatus.ACTIVE and today > end:
        return PledgeStatus.EXPIRED  # the nightly status job has not run yet: say what is true
    return status


def reminder_level(end: dt.date, today: dt.date) -> int | None:
    """The reminder due now: 7, 30 or 60 (days before the end of cover), else None."""
    days_left = (end - today).days
    if days_left < 0:
        return None
    for level in sorted(REMINDER_DAYS):
        if days_left <= level:
            return level
    return None


def renewal_opens(end: dt.date) -> dt.date:
    return end - dt.timedelta(days=RENEWAL_WINDOW_DAYS)


def can_renew(status: str, end: dt.date, today: dt.date, already_renewed: bool) -> bool:
    if already_renewed:
        return False
    if status == PledgeStatus.EXPIRED:
        return True
    return status == PledgeStatus.ACTIVE and today >= renewal_opens(end)


def timeline(status: str, shown_status: str) -> list[TimelineStep]:
    """submitted → matched → registered → active → expiring → expired or renewed (or cancelled)."""
    final: dict[str, str] = {
        PledgeStatus.EXPIRED: "Berakhir",
        PledgeStatus.RENEWED: "Diperpanjang",
        PledgeStatus.CANCELLED: "Dibatalkan",
    }
    steps = list(TIMELINE)
    if status == PledgeStatus.CANCELLED:
        return [TimelineStep(PledgeStatus.SUBMITTED, STATUS_LABELS[PledgeStatus.SUBMITTED], "done")] + [
            TimelineStep(PledgeStatus.CANCELLED, final[PledgeStatus.CANCELLED], "current")
        ]
    if shown_status == WAITING:  # registered (the cards carried over), cover not started yet
        reached = steps.index(PledgeStatus.REGISTERED)
        last = TimelineStep("end", "Berakhir atau diperpanjang", "todo")
    elif shown_status in final:
        reached = len(steps)
        last = TimelineStep(shown_status, final[shown_status], "current")
    else:
        reached = steps.index(shown_status) if shown_status in steps else 0
        last = TimelineStep("end", "Berakhir atau diperpanjang", "todo")
    out = []
    for i, step in enumerate(steps):
        if i < reached:
            state = "done"
        elif i == reached:
            state = "current"
        else:
            state = "todo"
        out.append(TimelineStep(step, STATUS_LABELS[step], state))
    return out + [last]
