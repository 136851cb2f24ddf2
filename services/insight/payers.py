"""Figures by payer (issue 24): who pays this month's cover, from the payer ledger, and what the city still needs.

One month of the ledger, grouped by payer, in SQL. A company pledge's month counts once the worker is registered
with BPJS (a proposed match is not paid yet); the city's allocation, other programmes and mandiri count as the
ledger has them. Public: aggregates only, the city's budget shown as the city's, no worker.
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from models import Assignment, AssignmentStatus, CoverMonth, PayerKind
from services.insight.catalogue import FigureDef, figure, register
from services.insight.dashboard import active_campaign
from services.platform.dates import month_start

_PAID_CSR = [AssignmentStatus.REGISTERED.value, AssignmentStatus.ACTIVE.value, AssignmentStatus.EXPIRED.value]
YEAR_MONTHS = 12
# Catalogue key -> PayerSplit attribute, in the order every surface shows them.
PAYER_FIGURES = {
    "paid_by_apbd": "apbd",
    "paid_by_csr": "csr",
    "paid_by_other": "other",
    "paid_by_mandiri": "mandiri",
    "paid_all_payers": "total",
    "budget_needed_after_csr": "budget_needed",
}


@dataclass(frozen=True)
class PayerSplit:
    month: dt.date
    apbd: int  # the city's budget (APBD Kota)
    csr: int  # companies' pledges
    other: int  # other programmes (APBD Provinsi, BAZNAS, dana desa, ...)
    mandiri: int  # the workers themselves
    target: int  # the campaign's target (workers)
    premium: int  # Rupiah per worker per month (JKK + JKM)

    @property
    def total(self) -> int:
        return self.apbd + self.csr + self.other + self.mandiri

    @property
    def budget_needed(self) -> int:
        """Rupiah for a year of cover for the workers still missing from the target after every payer."""
        return max(self.target - self.total, 0) * self.premium * YEAR_MONTHS

    def shares(self) -> list[tuple[str, int]]:
        """(catalogued label, workers) of the four payers, in the order every surface shows them."""
        return [(figure(key).label, getattr(self, attr)) for key, attr in list(PAYER_FIGURES.items())[:4]]

    def figures(self) -> dict[str, int]:
        """Catalogue key -> value of every figure by payer (pages, quarterly PDF and Excel, CLI JSON)."""
        return {key: int(getattr(self, attr)) for key, attr in PAYER_FIGURES.items()}


def payer_split(*, session: Session, today: dt.date | None = None) -> PayerSplit:
    """Workers whose cover for this month (of `today`) is paid, by payer."""
    month = month_start(today or dt.date.today())
    paid_csr = col(CoverMonth.assignment_id).in_(
        select(col(Assignment.id)).where(col(Assignment.status).in_(_PAID_CSR))
    )
    counts = dict(
        session.execute(
            select(col(CoverMonth.payer), func.count())
            .where(col(CoverMonth.month) == month, or_(col(CoverMonth.assignment_id).is_(None), paid_csr))
            .group_by(col(CoverMonth.payer))
        ).all()
    )
    campaign = active_campaign(session=session)
    return PayerSplit(
        month=month,
        apbd=int(counts.get(PayerKind.CITY_BUDGET.value, 0)),
        csr=int(counts.get(PayerKind.CSR.value, 0)),
        other=int(counts.get(PayerKind.OTHER_PROGRAMME.value, 0)),
        mandiri=int(counts.get(PayerKind.SELF_PAID.value, 0)),
        target=int(campaign.target_workers) if campaign else 0,
        premium=int(campaign.premium_jkk_jkm) if campaign else 0,
    )


def _part(name: str):  # type: ignore[no-untyped-def]
    def compute(*, session: Session, today: dt.date | None = None) -> int:
        return int(getattr(payer_split(session=session, today=today), name))

    return compute


_WHAT = "Pekerja yang iuran BPJS Ketenagakerjaan bulan ini dibayar oleh"
for _key, _label, _who in [
    (
        "paid_by_apbd",
        "Ditanggung APBD Kota",
        "anggaran Pemerintah Kota (APBD Kota), termasuk alokasi tahunannya",
    ),
    ("paid_by_csr", "Ditanggung CSR perusahaan", "ikrar perusahaan, setelah didaftarkan ke BPJS"),
    ("paid_by_other", "Ditanggung program lain", "program lain: APBD Provinsi, BAZNAS (zakat), dana desa"),
    ("paid_by_mandiri", "Mandiri", "pekerja itu sendiri (peserta BPU mandiri)"),
    ("paid_all_payers", "Ditanggung semua penanggung", "siapa pun: APBD Kota, CSR, program lain atau mandiri"),
]:
    register(
        FigureDef(
            _key,
            _label,
            f"{_WHAT} {_who}; satu pekerja satu penanggung per bulan.",
            "pekerja",
            "bilangan bulat",
            _part(PAYER_FIGURES[_key]),
        )
    )
register(
    FigureDef(
        "budget_needed_after_csr",
        "Anggaran kota yang masih dibutuhkan",
        "Iuran satu tahun (12 bulan, JKK + JKM) bagi pekerja yang masih kurang dari target kota setelah dihitung "
        "semua penanggung bulan ini (CSR, APBD Kota, program lain, mandiri).",
        "rupiah",
        "Rupiah bulat",
        _part(PAYER_FIGURES["budget_needed_after_csr"]),
        audience=("publik", "kota"),
    )
)
