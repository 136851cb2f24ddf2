"""Importing the letter's recipient companies from the city's Excel/CSV list (page and CLI share this).

Every row is checked and refused with its row, column, value and an Indonesian reason; duplicates by NIB (in the
file or already in Payung) are reported, never merged; the valid rows commit in one transaction, each with a
company account and a one-time password. The same file imported twice adds nothing (every NIB is then known).
"""

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import insert
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from models import Company, Kelurahan, LetterRecipient, Role, User
from models.common import utcnow
from services.campaign.accounts import OneTimePassword, company_accounts, existing_usernames
from services.campaign.companies import NEAR_TANGERANG_KM, check_site
from services.campaign.letters import active_campaign
from services.platform import audit
from services.platform.authz import Actor, require_role
from services.platform.errors import ConflictError, ValidationError
from services.platform.geo import haversine_km
from services.platform.regions import resolve_kelurahan
from services.platform.sheets import MB, Cell, RowError, Table, cell_text, is_number_cell, read_table

MAX_BYTES = 20 * MB
MAX_ROWS = 50_000
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("nama perusahaan", "nama badan usaha", "perusahaan", "nama", "company", "company name", "name"),
    "nib": ("NIB", "nomor induk berusaha", "business identification number"),
    "npp": ("NPP", "nomor pendaftaran perusahaan", "no npp", "bpjs employer number"),
    "address": ("alamat", "alamat perusahaan", "address"),
    "kelurahan": ("kelurahan", "kode kelurahan", "desa/kelurahan", "kelurahan code", "village", "urban village"),
    "kecamatan": ("kecamatan", "district", "subdistrict"),
    "lat": ("lintang", "latitude", "lat"),
    "lon": ("bujur", "longitude", "lon", "lng"),
    "sector": ("sektor", "sektor usaha", "bidang usaha", "sector", "industry"),
    "employees": ("jumlah karyawan", "karyawan", "jumlah pekerja", "employees", "number of employees", "headcount"),
    "contact_name": ("nama kontak", "kontak", "narahubung", "contact person", "contact name", "contact"),
    "email": ("email", "e-mail", "surel", "email kontak", "contact email"),
    "phone": ("telepon", "no telepon", "nomor telepon", "no hp", "telp", "phone", "phone number", "whatsapp"),
}
REQUIRED = {"name", "nib", "kelurahan"}
FORMULA_PREFIXES = ("=", "+", "-", "@")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")


@dataclass
class ImportResult:
    read: int = 0
    inserted: int = 0
    rejected: int = 0
    duplicates: int = 0
    blank_rows: int = 0
    dry_run: bool = True
    errors: list[RowError] = field(default_factory=list)
    preview: pd.DataFrame = field(default_factory=pd.DataFrame)
    passwords: list[OneTimePassword] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "inserted": self.inserted,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "blank_rows": self.blank_rows,
            "dry_run": self.dry_run,
            "errors": [e.as_dict() for e in self.errors],
        }


@dataclass
class _Row:
    number: int
    values: dict[str, Any]


@dataclass
class _Places:
    """The kelurahan loaded once per import: inside points, and centres for the near-Tangerang check."""

    inside: dict[str, tuple[float, float]]
    lat: np.ndarray
    lon: np.ndarray

    @classmethod
    def load(cls, session: Session) -> "_Places":
        columns: list[Any] = [Kelurahan.code, Kelurahan.rep_lat, Kelurahan.rep_lon, Kelurahan.lat, Kelurahan.lon]
        rows = session.execute(sa_select(*columns)).all()
        return cls({r[0]: (r[1], r[2]) for r in rows}, np.array([r[3] for r in rows]), np.array([r[4] for r in rows]))

    def check_site(self, session: Session, lat: float, lon: float) -> None:
        """The profile page's rule (`companies.check_site`), asked only when the fast test says it would refuse."""
        inside_range = -90 <= lat <= 90 and -180 <= lon <= 180
        if (
            not inside_range
            or len(self.lat) == 0
            or float(haversine_km(lat, lon, self.lat, self.lon).min()) > NEAR_TANGERANG_KM
        ):
            check_site(session=session, lat=lat, lon=lon)


def _text(table: Table, row: int, values: dict[str, Cell], name: str, limit: int, errors: list[RowError]) -> str:
    text = cell_text(values.get(name)).strip()
    if len(text) > limit:
        errors.append(RowError(row, table.header_of(name), text[:60], f"Terlalu panjang: paling banyak {limit} huruf."))
    return text


def _number(value: Cell) -> float | None:
    if value is None:
        return None
    if is_number_cell(value):
        return float(value)  # type: ignore[arg-type]
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        return None


def _check_row(
    session: Session, places: _Places, table: Table, row: int, values: dict[str, Cell]
) -> tuple[dict | None, list[RowError]]:
    """One row's company values, or the reasons it is refused (every problem of the row, not only the first)."""
    errors: list[RowError] = []
    h = table.header_of
    name = _text(table, row, values, "name", 200, errors)
    if not name:
        errors.append(RowError(row, h("name"), "", "Nama perusahaan kosong. Isi nama resmi perusahaan."))
    elif name.startswith(FORMULA_PREFIXES):
        errors.append(
            RowError(
                row,
                h("name"),
                name[:60],
                "Nama diawali =, +, - atau @ (dibaca Excel sebagai rumus). Tulis nama resmi perusahaan.",
            )
        )
    raw_nib = values.get("nib")
    nib = ""
    if is_number_cell(raw_nib):
        errors.append(
            RowError(
                row,
                h("nib"),
                cell_text(raw_nib),
                "NIB tersimpan sebagai angka, sehingga Excel dapat mengubah digitnya. Format kolom NIB sebagai Teks "
                "(klik kanan kolom > Format Cells > Text), ketik ulang NIB-nya, lalu unggah lagi.",
            )
        )
    else:
        nib = re.sub(r"[\s.-]", "", cell_text(raw_nib))
        if not re.fullmatch(r"\d{13}", nib):
            errors.append(RowError(row, h("nib"), cell_text(raw_nib), "NIB harus 13 angka, contoh 9120001234567."))
    npp = cell_text(values.get("npp")).strip()
    if npp and not re.fullmatch(r"[0-9A-Za-z-]{1,20}", npp):
        errors.append(RowError(row, h("npp"), npp[:60], "NPP hanya berisi angka/huruf, paling banyak 20."))
    code, reason = resolve_kelurahan(values.get("kelurahan"), values.get("kecamatan"))
    if code is None:
        errors.append(
            RowError(row, h("kelurahan"), cell_text(values.get("kelurahan")), reason or "Kelurahan tidak dikenal.")
        )
    lat, lon = _number(values.get("lat")), _number(values.get("lon"))
    approximate = False
    for key, raw, parsed in (("lat", values.get("lat"), lat), ("lon", values.get("lon"), lon)):
        if raw is not None and parsed is None:
            errors.append(
                RowError(row, h(key), cell_text(raw), "Bukan angka koordinat, contoh lintang -6,18 dan bujur 106,63.")
            )
    if (lat is None) != (lon is None):
        errors.append(
            RowError(
                row, h("lat" if lat is None else "lon"), "", "Isi lintang dan bujur sekaligus, atau kosongkan keduanya."
            )
        )
    elif lat is not None and lon is not None:
        try:
            places.check_site(session, lat, lon)
        except ValidationError as exc:
            errors.append(
                RowError(row, h("lat"), f"{cell_text(values.get('lat'))}, {cell_text(values.get('lon'))}", str(exc))
            )
    elif code is not None and code in places.inside:
        (lat, lon), approximate = places.inside[code], True
    employees = None
    raw_emp = values.get("employees")
    if raw_emp is not None:
        text = cell_text(raw_emp).replace(".", "") if not is_number_cell(raw_emp) else cell_text(raw_emp)
        if not re.fullmatch(r"\d{1,7}", text) or int(text) > 1_000_000:
            errors.append(
                RowError(
                    row, h("employees"), cell_text(raw_emp), "Jumlah karyawan harus bilangan bulat 0 sampai 1.000.000."
                )
            )
        else:
            employees = int(text)
    email = _text(table, row, values, "email", 200, errors)
    if email and not _EMAIL.match(email):
        errors.append(RowError(row, h("email"), email[:60], "Alamat email tidak valid, contoh csr@perusahaan.co.id."))
    raw_phone = values.get("phone")
    phone = cell_text(raw_phone).strip()
    if is_number_cell(raw_phone) and phone.startswith(("8", "21")):
        phone = "0" + phone  # Excel drops the leading 0 of a number cell; Indonesian numbers start with 08 / 021
    if phone and not _PHONE.match(phone):
        errors.append(RowError(row, h("phone"), phone[:60], "Nomor telepon hanya angka (boleh diawali +), 6–20 digit."))
    sector = _text(table, row, values, "sector", 80, errors)
    contact = _text(table, row, values, "contact_name", 120, errors)
    address = _text(table, row, values, "address", 500, errors)
    if errors:
        return None, errors
    return {
        "name": name,
        "nib": nib,
        "npp": npp or None,
        "address": address,
        "kelurahan_code": code,
        "site_lat": lat,
        "site_lon": lon,
        "site_approximate": approximate,
        "sector": sector,
        "employees": employees,
        "contact_name": contact,
        "contact_email": email,
        "contact_phone": phone,
    }, []


def import_recipients(
    *, session: Session, actor: Actor, content: bytes, filename: str, dry_run: bool = True
) -> ImportResult:
    """Check a recipients file and (unless dry_run) add its valid rows to the active letter, in one transaction."""
    require_role(actor, Role.ADMIN, session=session, action="recipients.import")
    campaign = active_campaign(session=session)
    if campaign is None:
        raise ValidationError("Belum ada surat edaran aktif. Buat suratnya dulu di menu Surat edaran.")
    table = read_table(content, filename, columns=COLUMNS, required=REQUIRED, max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
    result = ImportResult(read=len(table), blank_rows=table.blank_rows, dry_run=dry_run)
    known = {
        nib: name for nib, name in session.exec(select(Company.nib, Company.name).where(col(Company.nib).is_not(None)))
    }
    places = _Places.load(session)
    first_row: dict[str, int] = {}
    valid: list[_Row] = []
    for row, values in table.rows():
        company, errors = _check_row(session, places, table, row, values)
        if company is None:
            result.rejected += 1
            result.errors.extend(errors)
            continue
        nib = company["nib"]
        duplicate = (
            f"NIB ganda: sama dengan baris {first_row[nib]} di berkas ini. Baris ini dilewati."
            if nib in first_row
            else f"NIB sudah terdaftar di Payung ({known[nib]}). Baris ini dilewati, data tidak digabung."
            if nib in known
            else None
        )
        first_row.setdefault(nib, row)
        if duplicate:
            result.duplicates += 1
            result.errors.append(RowError(row, table.header_of("nib"), nib, duplicate))
            continue
        valid.append(_Row(row, company))
    result.preview = pd.DataFrame([{"Baris": r.number, **r.values} for r in valid])
    if dry_run or not valid:
        if not dry_run:
            session.rollback()
        return result
    taken = existing_usernames(session=session)
    try:
        # Core bulk inserts (RETURNING the new ids): ORM objects cost ~1 ms each, 10,000 rows would wait 30 s.
        now = utcnow()
        ids = {
            nib: company_id
            for company_id, nib in session.execute(
                insert(Company).returning(col(Company.id), col(Company.nib)),
                [{**r.values, "show_amount": True, "created_at": now} for r in valid],
            )
        }
        session.execute(
            insert(LetterRecipient),
            [
                {
                    "campaign_id": campaign.id,
                    "company_id": ids[r.values["nib"]],
                    "reminders_sent": 0,
                    "decline_note": "",
                }
                for r in valid
            ],
        )
        users, result.passwords = company_accounts(
            [(ids[r.values["nib"]], r.values["name"], r.values["contact_email"]) for r in valid], taken
        )
        session.execute(insert(User), users)
        result.inserted = len(valid)
        audit.record(
            session=session,
            actor=actor,
            action="recipients.import",
            entity="campaign",
            entity_id=campaign.id,
            file=filename[:100],
            read=result.read,
            inserted=result.inserted,
            rejected=result.rejected,
            duplicates=result.duplicates,
        )
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise ConflictError(
            "Impor lain menyimpan perusahaan yang sama pada saat bersamaan. Tidak ada yang disimpan: ulangi impor."
        ) from exc
    return result
