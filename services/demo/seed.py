"""Deterministic demo of Kota Tangerang: the Wali Kota's letter, ~80 recipient companies, ~25,000 workers.

Same seed and same `today` give the same database. Loaded automatically into an empty database in demo mode.
Run by hand: `python -m services.demo.seed [--workers N] [--seed S]`.
"""

import datetime as dt
import json
import re
from dataclasses import dataclass

import bcrypt
import numpy as np
import pandas as pd
import shapely
from sqlalchemy import insert
from sqlmodel import Session, func, select

from models import (
    Assignment,
    Campaign,
    Company,
    LetterRecipient,
    Pledge,
    PledgeKelurahan,
    Role,
    User,
    Worker,
)
from services.demo import campaign_demo, claims_demo, insight_demo, letter_pdf, registry_demo, timeline, words
from services.platform import ledger
from services.platform.authz import SYSTEM
from services.platform.dates import add_months, month_start
from services.platform.regions import load_regions, read_kecamatan_csv
from services.platform.settings import REGIONS_DIR

# Demo-only credentials, printed in the README. Never used outside demo mode.
DEMO_PASSWORDS = {
    Role.ADMIN: "Payung-Admin-2024",
    Role.VIEWER: "Payung-Lihat-2024",
    Role.COMPANY: "Payung-Demo-2024",
    Role.BRANCH: claims_demo.BRANCH_PASSWORD,
}
DEMO_ACCOUNTS = [  # (label, username, role) shown on the login page in demo mode
    ("Admin kota (Disnaker)", "admin", Role.ADMIN),
    ("Pemantau kota (Kantor Wali Kota)", "walikota", Role.VIEWER),
    ("PT Panarub Industry — perlindungan aktif, segera berakhir", "panarub", Role.COMPANY),
    ("PT Graha Tekstil Karawaci — perlindungan aktif", "graha", Role.COMPANY),
    ("PT Cisadane Pangan Lestari — pekerja dicocokkan", "cisadane", Role.COMPANY),
    ("PT Benteng Logistik Nusantara — belum menjawab surat", "benteng", Role.COMPANY),
    *claims_demo.BRANCH_ACCOUNTS,
]
FIXED_COMPANIES = [
    # username, name, sector, kecamatan, story
    ("panarub", "PT Panarub Industry", "Alas kaki", "36.71.02", "first"),
    ("graha", "PT Graha Tekstil Karawaci", "Tekstil & garmen", "36.71.07", "active"),
    ("cisadane", "PT Cisadane Pangan Lestari", "Makanan & minuman", "36.71.10", "matched"),
    ("benteng", "PT Benteng Logistik Nusantara", "Logistik & pergudangan", "36.71.03", "silent"),
]
INDUSTRIAL_KECAMATAN = {
    "36.71.02": 3.0,
    "36.71.09": 2.5,
    "36.71.08": 2.0,
    "36.71.03": 2.0,
    "36.71.10": 2.0,
    "36.71.07": 1.5,
}


@dataclass(frozen=True)
class SeedSummary:
    companies: int
    workers: int
    pledges: int
    assignments: int
    users: int


def is_empty(*, session: Session) -> bool:
    return session.exec(select(func.count()).select_from(Campaign)).one() == 0


def _hash(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=12)).decode()


def _polygons() -> dict[str, shapely.Geometry]:
    with open(REGIONS_DIR / "tangerang_kelurahan.geojson", encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    return {f["properties"]["kelurahan_code"]: shapely.geometry.shape(f["geometry"]) for f in features}


def _points_in(poly: shapely.Geometry, n: int, rng: np.random.Generator) -> np.ndarray:
    """n uniform points inside a polygon (rejection sampling in its bounding box), as (lat, lon)."""
    minx, miny, maxx, maxy = poly.bounds
    out: list[np.ndarray] = []
    need = n
    while need > 0:
        k = max(16, int(need * 2.5))
        xs, ys = rng.uniform(minx, maxx, k), rng.uniform(miny, maxy, k)
        inside = shapely.contains_xy(poly, xs, ys)
        pts = np.column_stack([ys[inside], xs[inside]])[:need]
        out.append(pts)
        need -= len(pts)
    return np.vstack(out) if out else np.empty((0, 2))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _make_nik(region: str, birth: dt.date, sex: str, rng: np.random.Generator, used: set[str]) -> str:
    day = birth.day + (40 if sex == "P" else 0)
    stem = f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}"
    while True:
        nik = f"{stem}{int(rng.integers(1, 10_000)):04d}"
        if nik not in used:
            used.add(nik)
            return nik


def _workers(n: int, rng: np.random.Generator, kel: pd.DataFrame, today: dt.date) -> list[dict]:
    polygons = _polygons()
    kec_codes = dict(
        zip(read_kecamatan_csv()["kecamatan_code"], read_kecamatan_csv()["kode_6digit"].astype(str), strict=True)
    )
    share = kel["area_km2_polygon"] / kel["area_km2_polygon"].sum()
    counts = np.floor(share * n).astype(int).to_numpy().copy()
    counts[np.argsort(-(share * n - counts).to_numpy())[: n - counts.sum()]] += 1
    occupations = [o for o, _ in words.OCCUPATIONS]
    occ_p = np.array([w for _, w in words.OCCUPATIONS])
    occ_p = occ_p / occ_p.sum()
    desil_values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0]  # 0 = unknown
    desil_p = np.array([0.14, 0.16, 0.17, 0.15, 0.13, 0.07, 0.05, 0.03, 0.02, 0.01, 0.07])
    desil_p = desil_p / desil_p.sum()
    used: set[str] = set()
    rows: list[dict] = []
    for (code, kec_code), count in zip(
        kel[["kelurahan_code", "kecamatan_code"]].itertuples(index=False), counts, strict=True
    ):
        pts = _points_in(polygons[code], int(count), rng)
        for lat, lon in pts:
            sex = "P" if rng.random() < 0.42 else "L"
            first = rng.choice(words.FEMALE_NAMES if sex == "P" else words.MALE_NAMES)
            family = rng.choice(words.FAMILY_NAMES)
            birth = today - dt.timedelta(days=int(rng.integers(18 * 365 + 5, 64 * 365)))
            region = kec_codes[kec_code] if rng.random() < 0.9 else str(rng.choice(words.NIK_OTHER_REGIONS))
            desil = int(rng.choice(desil_values, p=desil_p))
            has_point = rng.random() < 0.85  # some registry rows carry no coordinates
            rows.append(
                {
                    "nik": _make_nik(region, birth, sex, rng, used),
                    "name": f"{first} {family}".strip(),
                    "sex": sex,
                    "birth_date": birth,
                    "kelurahan_code": code,
                    "address": f"{rng.choice(words.STREETS)} RT {int(rng.integers(1, 15)):03d}/"
                    f"RW {int(rng.integers(1, 12)):03d}",
                    "occupation": str(rng.choice(occupations, p=occ_p)),
                    "desil": desil or None,
                    "phone": "08"
                    + str(rng.choice(words.MOBILE_PREFIXES))
                    + "".join(str(d) for d in rng.integers(0, 10, int(rng.integers(7, 9)))),
                    "lat": round(float(lat), 6) if has_point else None,
                    "lon": round(float(lon), 6) if has_point else None,
                    "covered_elsewhere": bool(rng.random() < 0.06),
                }
            )
    return rows


def _companies(n: int, rng: np.random.Generator, kel: pd.DataFrame) -> list[dict]:
    polygons = _polygons()
    kec_weight = kel["kecamatan_code"].map(lambda c: INDUSTRIAL_KECAMATAN.get(c, 1.0)).to_numpy()
    kel_p = kec_weight / kec_weight.sum()
    sectors = words.SECTORS
    out: list[dict] = []
    names: set[str] = set()
    for i in range(n):
        if i < len(FIXED_COMPANIES):
            username, name, sector, kec, story = FIXED_COMPANIES[i]
            candidates = kel[kel["kecamatan_code"] == kec]
            row = candidates.iloc[int(rng.integers(0, len(candidates)))]
            median = next(m for s, m, _ in sectors if s == sector)
        else:
            sector, median, stems = sectors[int(rng.integers(0, len(sectors)))]
            while True:
                name = f"PT {rng.choice(words.NAME_PREFIXES)} {rng.choice(stems)} {rng.choice(words.NAME_PREFIXES)}"
                if name not in names:
                    break
            username, story = f"perusahaan{i + 1:02d}", ""
            row = kel.iloc[int(rng.choice(len(kel), p=kel_p))]
        names.add(name)
        lat, lon = _points_in(polygons[row.kelurahan_code], 1, rng)[0]
        employees = int(max(40, rng.lognormal(np.log(median), 0.6)))
        if username == "panarub":
            employees = 11_000
        out.append(
            {
                "username": username,
                "story": story,
                "name": name,
                "sector": sector,
                "employees": employees,
                "kelurahan_code": row.kelurahan_code,
                "kecamatan_name": row.kecamatan_name,
                "site_lat": round(float(lat), 6),
                "site_lon": round(float(lon), 6),
                "address": f"{rng.choice(words.STREETS)} No. {int(rng.integers(1, 200))}, {row.kelurahan_name}, "
                f"Kec. {row.kecamatan_name}, Kota Tangerang",
                "nib": "".join(str(d) for d in rng.integers(0, 10, 13)),
                "npp": "".join(str(d) for d in rng.integers(0, 10, 8)),
                "contact_name": f"{rng.choice(words.FEMALE_NAMES + words.MALE_NAMES)} "
                f"{rng.choice(words.FAMILY_NAMES[:30])}",
                "contact_phone": "021" + "".join(str(d) for d in rng.integers(0, 10, 8)),
                "show_amount": bool(rng.random() > 0.15),
            }
        )
        out[-1]["contact_email"] = f"csr@{_slug(name.removeprefix('PT '))[:24]}.co.id"
    return out


def seed_demo(
    *,
    session: Session,
    seed: int = 14422,
    n_workers: int = 25_000,
    n_companies: int = 80,
    today: dt.date | None = None,
) -> SeedSummary:
    """Fill an empty database with the demo. Matching runs at the end so assignments are real results."""
    from services.matching import run_full_match  # local: matching is heavier and only needed here

    today = today or dt.date.today()
    anchor = month_start(today)
    rng = np.random.default_rng(seed)
    load_regions(session=session)
    letter = timeline.letter_dates(anchor)
    kel = pd.read_csv(REGIONS_DIR / "tangerang_kelurahan.csv", dtype={"kelurahan_code": str, "kecamatan_code": str})

    campaign = Campaign(
        letter_number="SE No. 14422/2024",
        letter_date=letter.letter_date,
        subject="Dukungan Perusahaan bagi Perlindungan Jaminan Sosial Ketenagakerjaan Pekerja Rentan",
        body=(
            "Dalam rangka perlindungan pekerja rentan di Kota Tangerang, Wali Kota mengimbau setiap perusahaan "
            "untuk mendaftarkan paling sedikit 100 pekerja rentan di sekitar lokasi usahanya sebagai peserta "
            "BPJS Ketenagakerjaan program Jaminan Kecelakaan Kerja (JKK) dan Jaminan Kematian (JKM) melalui dana "
            "Tanggung Jawab Sosial dan Lingkungan (TJSL) perusahaan. Iuran Rp16.800 per pekerja per bulan."
        ),
        response_deadline=letter.response_deadline,
        target_workers=20_000,
        suggested_min_workers=100,
        premium_jkk_jkm=16_800,
        premium_jht=20_000,
    )
    campaign.attachment_name, campaign.attachment = letter_pdf.letter_pdf(campaign)
    session.add(campaign)
    session.flush()
    assert campaign.id is not None

    session.execute(insert(Worker), registry_demo.with_payers(_workers(n_workers, rng, kel, today), today=today))

    hashes = {role: _hash(pw) for role, pw in DEMO_PASSWORDS.items()}
    staff = [
        ("admin", "Admin Disnaker Kota Tangerang", Role.ADMIN, "disnaker@tangerangkota.go.id"),
        ("walikota", "Kantor Wali Kota (lihat saja)", Role.VIEWER, "setda@tangerangkota.go.id"),
    ]
    session.add_all(
        User(username=u, display_name=name, role=role, email=email, password_hash=hashes[role])
        for u, name, role, email in staff
    )
    claims_demo.seed_branch_users(session=session, password_hash=hashes[Role.BRANCH])

    companies = _companies(n_companies, rng, kel)
    sent = letter.sent_at
    plans: list[tuple[Pledge, str, list[str]]] = []
    answered: list[tuple[Pledge, dt.datetime]] = []
    # Answer order: Panarub first, then a random order for those who pledge (~55 % of the rest), Cisadane last.
    responders = [c for c in companies[4:] if rng.random() < 0.55]
    order = [companies[0], companies[1], *responders, companies[2]]
    response_rank = {id(c): i for i, c in enumerate(order)}
    answers = timeline.answer_times(count=len(order), letter=letter, today=today, rng=rng)
    stories = _stories(order, answers, letter, rng)
    for c in companies:
        company = Company(**{k: v for k, v in c.items() if k not in {"username", "story", "kecamatan_name"}})
        session.add(company)
        session.flush()
        assert company.id is not None
        session.add(
            User(
                username=c["username"],
                display_name=f"CSR {c['name']}",
                role=Role.COMPANY,
                company_id=company.id,
                email=c["contact_email"],
                password_hash=hashes[Role.COMPANY],
            )
        )
        rank = response_rank.get(id(c))
        delivered = sent + dt.timedelta(days=int(rng.integers(0, 3)), hours=3)
        recipient = LetterRecipient(
            campaign_id=campaign.id, company_id=company.id, sent_at=sent, delivered_at=delivered
        )
        if rank is not None or rng.random() < 0.5:
            recipient.first_login_at = delivered + dt.timedelta(days=int(rng.integers(1, 20)))
        if rank is None:
            recipient.reminders_sent = int(rng.integers(0, 3))
        else:
            recipient.responded_at = answers[rank]
            plans.append(_plan_pledge(c, stories[rank], company.id, campaign, answers[rank], anchor, rng, kel))
            recipient.first_login_at = min(recipient.first_login_at or recipient.responded_at, recipient.responded_at)
            answered.append((plans[-1][0], recipient.responded_at))
        session.add(recipient)

    for pledge, _story, kel_codes in plans:
        session.add(pledge)
        session.flush()
        assert pledge.id is not None
        session.add_all(PledgeKelurahan(pledge_id=pledge.id, kelurahan_code=k) for k in kel_codes)
    session.commit()

    run_full_match(session=session, actor=SYSTEM)
    renewed_on = timeline.advance_statuses(session=session, plans=plans, today=today, rng=rng)
    timeline.date_history(session=session, pledges=answered, renewed_on=renewed_on, today=today)
    ledger.backfill(session=session, today=today, rebuild_pledges=True)  # the payer ledger as the timeline left it
    session.commit()
    campaign_demo.seed_campaign_demo(session=session, seed=seed, today=today)  # and commits
    claims_demo.seed_claims(session=session, seed=seed, today=today)  # commits; benefits BPJS paid
    insight_demo.rebuild_history(session=session)  # commits; the state history the timeline's dates tell
    return SeedSummary(
        companies=len(companies),
        workers=n_workers,
        pledges=session.exec(select(func.count()).select_from(Pledge)).one(),
        assignments=session.exec(select(func.count()).select_from(Assignment)).one(),
        users=session.exec(select(func.count()).select_from(User)).one(),
    )


def _stories(
    order: list[dict], answers: list[dt.datetime], letter: timeline.LetterDates, rng: np.random.Generator
) -> list[str]:
    """How far each responder's pledge has come, from when it answered: the first wave renewed, still covered by a
    two-year pledge or lapsed; the tail after the deadline covered since; the last answers wait for BPJS cards
    (registered, matched, short of eligible workers)."""
    recent = ["registered", "short", "matched", "registered"]
    late = [i for i, at in enumerate(answers) if timeline.is_late(at, letter)]
    last = late[-timeline.RECENT_TAIL :] if late else []
    wave = ["expired", "renew", "active", "renew", "active"]  # every state in even a small demo, then a mix
    out: list[str] = []
    for i, c in enumerate(order):
        if c["story"]:
            out.append(c["story"])
        elif i in last:
            out.append(recent[last.index(i) % len(recent)])
        elif i in late:
            out.append("active")
        else:
            out.append(wave.pop(0) if wave else str(rng.choice(["renew", "renew", "active", "active", "expired"])))
    return out


def _plan_pledge(
    c: dict,
    story: str,
    company_id: int,
    campaign: Campaign,
    answered: dt.datetime,
    anchor: dt.date,
    rng: np.random.Generator,
    kel: pd.DataFrame,
) -> tuple[Pledge, str, list[str]]:
    """One pledge per responding company, made when it answered, with a story that decides how far it has come."""
    size = c["employees"]
    workers = int(np.clip(rng.normal(100 + size / 40, 40), 50, 500) // 5 * 5)
    months = int(rng.choice([12, 12, 12, 6, 3]))
    radius: float | None = float(rng.choice([2.0, 3.0, 3.0, 4.0, 5.0]))
    kel_codes: list[str] = []
    occupations: list[str] = []
    if rng.random() < 0.2:  # some companies choose the kelurahan around them instead of a radius
        kel_codes = kel[kel["kelurahan_code"] == c["kelurahan_code"]]["kecamatan_code"].pipe(
            lambda kec: kel[kel["kecamatan_code"].isin(kec)]["kelurahan_code"].tolist()
        )
        radius = None if rng.random() < 0.5 else 1.5
    if rng.random() < 0.15:
        occupations = [str(rng.choice(["Pengemudi ojek", "Pedagang kaki lima", "Buruh bangunan"]))]
    if story == "short":  # fishers are few and far between: this pledge waits for more eligible workers
        occupations, radius, kel_codes = ["Nelayan"], 2.0, []
    if story == "first":
        workers, months, radius, occupations, kel_codes = 148, 12, 2.0, ["Pedagang kaki lima"], []
    # Cards handed over for the first year; renewed once, so the cover now running ends this month.
    start = add_months(anchor, -timeline.FIRST_START_MONTHS_AGO)
    if story != "first":
        start, months = timeline.plan_start(story=story, answered=answered, anchor=anchor, months=months, rng=rng)
    assert campaign.id is not None
    include_jht = bool(rng.random() < 0.1) and story != "first"
    premium = campaign.premium_jkk_jkm + (campaign.premium_jht if include_jht else 0)
    pledge = Pledge(
        company_id=company_id,
        campaign_id=campaign.id,
        workers=workers,
        months=months,
        start_month=start,
        include_jht=include_jht,
        premium_per_worker_month=premium,
        radius_km=radius,
        occupations=occupations,
    )
    return pledge, story, kel_codes
