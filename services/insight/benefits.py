"""What the cover did: the benefits BPJS paid to workers covered through Payung (JKK, JKM), never a name.

Figures (registered in the catalogue, and the only functions every surface uses for them):
- *Keluarga penerima santunan*: distinct workers with at least one claim paid (a family is counted once).
- *Santunan dibayar*: the Rupiah BPJS paid on those claims.
- *Iuran dibayar*: cards issued × the pledge's months × its premium per worker per month.
- *Santunan per iuran*: santunan dibayar ÷ iuran dibayar (the denominator is iuran dibayar, nothing else).
A claim belongs to the payer whose cover was running on the event date (`Claim.pledge_id`). The public page shows
city totals only, and a count under `SMALL_COUNT` (and its Rupiah, which would tell the count) is suppressed.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd
from sqlalchemy import distinct, func, select
from sqlmodel import Session, col

from models import Assignment, Claim, Company, Pledge, Programme, Role
from services.insight.catalogue import FigureDef, register
from services.platform import fmt
from services.platform.authz import Actor, require_company_access, require_role

SMALL_COUNT = 3  # fewer families than this are not shown on the public page
_CITY = (Role.ADMIN, Role.VIEWER)


@dataclass(frozen=True)
class Benefits:
    """Benefits paid, per programme: (families, claims, Rupiah); and over both programmes."""

    by_programme: dict[str, tuple[int, int, int]]
    families: int
    amount: int

    def sentences(self) -> list[str]:
        """'2 keluarga menerima santunan JKM, Rp84 juta' — one per programme with a claim."""
        words = {Programme.JKM.value: "santunan JKM", Programme.JKK.value: "manfaat JKK"}
        return [
            f"{fmt.number(families)} keluarga menerima {words[p]}, {rupiah_short(amount)}"
            for p, (families, _, amount) in self.by_programme.items()
            if families
        ]


@dataclass(frozen=True)
class CityBenefits:
    total: Benefits
    premiums: int  # iuran dibayar
    by_payer: pd.DataFrame  # payer, programme columns: jkk_families, jkk_amount, jkm_families, jkm_amount, premiums

    @property
    def ratio(self) -> float | None:
        return self.total.amount / self.premiums if self.premiums else None


def rupiah_short(amount: int) -> str:
    """Rp84 juta, Rp1,2 miliar, Rp750.000: Rupiah as people say it in a sentence."""
    if amount >= 1_000_000_000:
        return f"Rp{fmt.decimal(amount / 1_000_000_000)} miliar"
    if amount >= 1_000_000:
        return f"Rp{fmt.decimal(amount / 1_000_000)} juta"
    return fmt.rupiah(amount)


def _benefits(session: Session, *where: object) -> Benefits:
    stmt = (
        select(
            col(Claim.programme),
            func.count(distinct(col(Claim.worker_id))),
            func.count(col(Claim.id)),
            func.sum(col(Claim.amount)),
        )
        .join(Pledge, col(Pledge.id) == Claim.pledge_id)
        .where(*where)  # type: ignore[arg-type]
        .group_by(col(Claim.programme))
    )
    rows = {str(p): (int(f), int(n), int(a or 0)) for p, f, n, a in session.execute(stmt).all()}
    by_programme = {p.value: rows.get(p.value, (0, 0, 0)) for p in (Programme.JKM, Programme.JKK)}
    families = session.execute(
        select(func.count(distinct(col(Claim.worker_id)))).join(Pledge, col(Pledge.id) == Claim.pledge_id).where(*where)  # type: ignore[arg-type]
    ).scalar_one()
    return Benefits(by_programme, int(families or 0), sum(a for _, _, a in by_programme.values()))


def benefits_for_company(*, session: Session, company_id: int, until: dt.date | None = None) -> Benefits:
    """The benefits paid on the company's cover (the caller has checked access, e.g. the impact report)."""
    where = [col(Pledge.company_id) == company_id]
    if until is not None:
        where.append(col(Claim.paid_date) <= until)
    return _benefits(session, *where)


def company_benefits(*, session: Session, actor: Actor, company_id: int) -> Benefits:
    require_company_access(actor, company_id, session=session, action="report.benefits")
    return benefits_for_company(session=session, company_id=company_id)


def city_benefits(*, session: Session, actor: Actor, until: dt.date | None = None) -> CityBenefits:
    """Benefits paid against premiums paid, in all and per payer, up to `until` (paid date; card start)."""
    require_role(actor, *_CITY, session=session, action="report.benefits")
    paid_by = [col(Claim.paid_date) <= until] if until is not None else []
    total = _benefits(session, *paid_by)
    cards_by = [col(Assignment.coverage_start) <= until] if until is not None else []
    cards: Any = (
        select(
            col(Pledge.company_id).label("company_id"),
            (func.count(distinct(col(Assignment.worker_id))) * Pledge.months * Pledge.premium_per_worker_month).label(
                "premiums"
            ),
        )
        .select_from(Assignment)
        .join(Pledge, col(Pledge.id) == Assignment.pledge_id)
        .where(col(Assignment.kpj_number).is_not(None), *cards_by)
        .group_by(col(Pledge.id), col(Pledge.company_id), col(Pledge.months), col(Pledge.premium_per_worker_month))
    )
    premiums = pd.DataFrame(session.execute(cards).all(), columns=["company_id", "premiums"])
    premiums = premiums.groupby("company_id")["premiums"].sum().reset_index()
    claims = pd.DataFrame(
        session.execute(
            select(
                col(Pledge.company_id),
                col(Claim.programme),
                func.count(distinct(col(Claim.worker_id))),
                func.sum(col(Claim.amount)),
            )
            .join(Pledge, col(Pledge.id) == Claim.pledge_id)
            .where(*paid_by)
            .group_by(col(Pledge.company_id), col(Claim.programme))
        ).all(),
        columns=["company_id", "programme", "families", "amount"],
    )
    wide = pd.DataFrame({"company_id": premiums["company_id"]})
    for p in (Programme.JKK.value, Programme.JKM.value):
        part = claims[claims["programme"] == p][["company_id", "families", "amount"]]
        part = part.rename(columns={"families": f"{p.lower()}_families", "amount": f"{p.lower()}_amount"})
        wide = wide.merge(part, on="company_id", how="outer")
    wide = wide.merge(premiums, on="company_id", how="outer").fillna(0)
    names = dict(session.execute(select(col(Company.id), col(Company.name))).all())
    wide.insert(0, "payer", wide["company_id"].map(names))
    wide = wide.drop(columns=["company_id"]).astype(
        {c: "int64" for c in ("jkk_families", "jkk_amount", "jkm_families", "jkm_amount", "premiums")}
    )
    wide = wide.sort_values(["jkm_amount", "jkk_amount", "payer"], ascending=[False, False, True])
    return CityBenefits(total=total, premiums=int(wide["premiums"].sum()), by_payer=wide.reset_index(drop=True))


def public_benefits(*, session: Session) -> list[tuple[str, int | None, int | None]]:
    """City totals per programme for the public page: (programme, families, Rupiah); both None under SMALL_COUNT."""
    total = _benefits(session)
    return [
        (p, *((families, amount) if families >= SMALL_COUNT else (None, None)))
        for p, (families, _, amount) in total.by_programme.items()
    ]


BENEFIT_FAMILIES = register(
    FigureDef(
        key="benefit_families",
        label="Keluarga penerima santunan",
        definition="Pekerja berbeda yang perlindungannya lewat Payung membayar klaim JKK atau JKM (satu keluarga "
        "dihitung sekali); di halaman publik jumlah di bawah 3 disembunyikan.",
        unit="keluarga",
        rounding="bilangan bulat",
        compute=benefits_for_company,
    )
)
BENEFITS_PAID = register(
    FigureDef(
        key="benefits_paid",
        label="Santunan dibayar",
        definition="Jumlah Rupiah yang dibayar BPJS Ketenagakerjaan atas klaim JKK dan JKM pekerja yang dilindungi "
        "lewat Payung, menurut tanggal bayar.",
        unit="rupiah",
        rounding="Rupiah penuh",
        compute=benefits_for_company,
    )
)
PREMIUMS_PAID = register(
    FigureDef(
        key="premiums_paid",
        label="Iuran dibayar",
        definition="Kartu peserta terbit × lama ikrar (bulan) × iuran per pekerja per bulan yang dibekukan saat ikrar.",
        unit="rupiah",
        rounding="Rupiah penuh",
        compute=city_benefits,
        audience=("kota",),
    )
)
BENEFIT_RATIO = register(
    FigureDef(
        key="benefit_ratio",
        label="Santunan per iuran",
        definition="Santunan dibayar dibagi iuran dibayar (penyebutnya hanya iuran dibayar).",
        unit="persen",
        rounding="1 desimal, sekali",
        compute=city_benefits,
        audience=("kota",),
    )
)
