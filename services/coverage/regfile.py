"""The BPJS registration file's rows and workbook, whoever pays (a company's pledge or the city's allocation):
one block per payer, each payer's bill (workers, worker-months, Rupiah), one sheet per payer (pure: the queries
and the act of registering are `registration.py`)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from services.platform import exports, fmt
from services.platform.dates import cover_end

CITY_PAYER = "APBD Kota Tangerang"
MAX_PAYER_SHEETS = 60  # beyond this many payers the blocks of sheet 1 and the totals sheet are enough
COLUMNS = [
    "NIK",
    "Nama",
    "Tanggal Lahir",
    "Jenis Kelamin",
    "Alamat",
    "Kelurahan",
    "Kecamatan",
    "Pekerjaan",
    "No HP",
    "Program",
    "Mulai",
    "Sampai",
    "Bulan",
    "Penanggung",
    "Kode Penanggung",
    "Dasar Pembayaran",
    "ID Ikrar",
    "KPJ",
]
TOTAL_COLUMNS = ["Penanggung", "Kode Penanggung", "Dasar Pembayaran", "Pekerja", "Bulan Kepesertaan", "Rupiah"]


def pledge_code(pledge_id: int) -> str:
    return f"IKRAR-{pledge_id}"


def allocation_code(allocation_id: int) -> str:
    return f"APBD-{allocation_id}"


@dataclass(frozen=True)
class RegRow:
    """One line of the file, whoever pays: `payer_kind` "csr" (source_id = assignment id) or "apbd" (source_id =
    the cityregistration id, None before the first export)."""

    payer_kind: str
    source_id: int | None
    registered: bool
    kpj: str
    worker_id: int
    nik: str
    name: str
    birth_date: dt.date
    sex: str
    address: str
    kelurahan: str
    kecamatan: str
    occupation: str
    phone: str
    payer_id: int  # pledge id or allocation id
    start: dt.date
    months: int
    include_jht: bool
    payer_name: str
    basis: str  # the city's budget line and Perwal; "" for a pledge
    premium: int  # Rupiah per worker-month

    @property
    def code(self) -> str:
        return pledge_code(self.payer_id) if self.payer_kind == "csr" else allocation_code(self.payer_id)


_PERSON = ("nik", "name", "birth_date", "sex", "address", "kelurahan", "kecamatan", "occupation", "phone")


def person(values: Any) -> dict[str, Any]:
    return dict(zip(_PERSON, values, strict=True))


def payer_totals(rows: list[RegRow]) -> pd.DataFrame:
    """Per payer, in the file's order: workers, worker-months and Rupiah (months × the payer's premium), what
    BPJS bills that payer (pure: unit-tested)."""
    totals: dict[str, list[Any]] = {}
    for r in rows:
        entry = totals.setdefault(r.code, [r.payer_name, r.code, r.basis, 0, 0, 0])
        entry[3] += 1
        entry[4] += r.months
        entry[5] += r.months * r.premium
    return pd.DataFrame(list(totals.values()), columns=TOTAL_COLUMNS).astype(
        {"Pekerja": "int64", "Bulan Kepesertaan": "int64", "Rupiah": "int64"}
    )


def _frame(rows: list[RegRow]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (
                r.nik,
                r.name,
                r.birth_date.strftime("%d/%m/%Y"),
                "Laki-laki" if r.sex == "L" else "Perempuan",
                r.address,
                r.kelurahan,
                r.kecamatan,
                r.occupation,
                r.phone,
                "JKK, JKM, JHT" if r.include_jht else "JKK, JKM",
                r.start.strftime("%d/%m/%Y"),
                cover_end(r.start, r.months).strftime("%d/%m/%Y"),
                r.months,
                r.payer_name,
                r.code,
                r.basis,
                r.payer_id if r.payer_kind == "csr" else None,
                r.kpj,
            )
            for r in rows
        ],
        columns=COLUMNS,
    )


def registration_book(rows: list[RegRow], label: str) -> bytes:
    """The workbook: every row by payer, each payer's totals, and one sheet per payer when there are several."""
    ordered = sorted(rows, key=lambda r: (r.payer_kind != "csr", r.payer_id))  # companies, then the city
    totals = payer_totals(ordered)
    title = f"Pendaftaran kolektif BPU BPJS Ketenagakerjaan — {label} — {len(rows)} pekerja, {len(totals)} penanggung"
    sheets: list[tuple[str, pd.DataFrame, str | None]] = [
        ("Pendaftaran", _frame(ordered), title),
        ("Per penanggung", totals, "Tagihan per penanggung: BPJS menagih kota dan setiap perusahaan terpisah"),
    ]
    if 1 < len(totals) <= MAX_PAYER_SHEETS:
        for t in totals.itertuples(index=False):
            mine = [r for r in ordered if r.code == t[1]]
            head = (
                f"{t[0]} ({t[1]}) — {fmt.number(t[3])} pekerja, {fmt.number(t[4])} bulan kepesertaan, "
                f"{fmt.rupiah(t[5])}"
            )
            sheets.append((str(t[1]), _frame(mine), head))
    return exports.to_xlsx_book(sheets)
