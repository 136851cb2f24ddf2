"""The rules of one claim row, pure (no database): what a row of a claims file or the claim form must hold.

A claim is a benefit BPJS paid: programme JKK (work accident, with the kind of benefit) or JKM (death), the date
of the event, the date paid, the amount in Rupiah. Whether the worker exists, is in the branch's area and was
covered by Payung on the event date is checked against the database by `services.coverage.claims`.
"""

import datetime as dt
import re
from dataclasses import dataclass

from models import JkkKind, Programme
from services.coverage.results import normalise_kpj
from services.platform import fmt, sheets
from services.registry import nik_cell

CLAIM_COLUMNS: dict[str, tuple[str, ...]] = {
    "kpj": ("KPJ", "No KPJ", "Nomor KPJ", "No Kartu", "Nomor Kartu"),
    "nik": ("NIK", "No KTP", "Nomor Induk Kependudukan"),
    "programme": ("Program", "Jenis Program"),
    "kind": ("Jenis Manfaat", "Jenis Santunan", "Manfaat JKK", "Jenis"),
    "event": ("Tgl Kejadian", "Tanggal Kejadian", "Tgl Kecelakaan", "Tgl Meninggal"),
    "paid": ("Tgl Bayar", "Tanggal Bayar", "Tanggal Dibayar", "Tgl Dibayar"),
    "amount": ("Jumlah", "Jumlah Dibayar", "Nominal", "Jumlah (Rp)", "Santunan"),
}
CLAIM_REQUIRED = {"programme", "event", "paid", "amount"}
KIND_LABELS = {
    JkkKind.TREATMENT.value: "Perawatan dan pengobatan",
    JkkKind.WAGE.value: "Santunan sementara tidak mampu bekerja (STMB)",
    JkkKind.DISABILITY.value: "Santunan cacat",
    JkkKind.DEATH.value: "Santunan kematian akibat kecelakaan kerja",
}
PROGRAMME_LABELS = {Programme.JKK.value: "JKK (kecelakaan kerja)", Programme.JKM.value: "JKM (kematian)"}
_KIND_WORDS = {
    "perawatan": JkkKind.TREATMENT,
    "pengobatan": JkkKind.TREATMENT,
    "stmb": JkkKind.WAGE,
    "santunansementara": JkkKind.WAGE,
    "cacat": JkkKind.DISABILITY,
    "meninggal": JkkKind.DEATH,
    "kematian": JkkKind.DEATH,
}


@dataclass(frozen=True)
class ClaimRow:
    """One claim as read from a row: the worker is named by KPJ or NIK (the service finds it)."""

    kpj: str | None
    nik: str | None
    programme: str
    kind: str
    event_date: dt.date
    paid_date: dt.date
    amount: int


def parse_amount(value: sheets.Cell) -> int | None:
    """Rupiah as written: 42000000, '42.000.000', 'Rp42.000.000', '-500.000' (negative kept, to be refused)."""
    if sheets.is_number_cell(value):
        number = float(value)  # type: ignore[arg-type]
        return int(number) if number.is_integer() else None
    text = re.sub(r"(?i)^(-?)\s*rp\.?\s*", r"\1", str(value or "").strip()).replace(" ", "")
    text = re.sub(r",00$", "", text)
    try:
        return fmt.parse_whole(text)
    except ValueError:
        return None


def parse_kind(value: sheets.Cell) -> str | None:
    key = re.sub(r"[^a-z]", "", str(value or "").lower())
    return next((kind.value for word, kind in _KIND_WORDS.items() if word in key), None)


def check_row(cells: dict[str, sheets.Cell], *, today: dt.date) -> tuple[ClaimRow | None, list[tuple[str, str]]]:
    """The claim of one row, or None and its problems as (column, Indonesian reason). The worker's KPJ/NIK are
    passed through as text; the service checks them."""
    problems: list[tuple[str, str]] = []
    programme = str(cells.get("programme") or "").strip().upper()
    if programme not in (Programme.JKK.value, Programme.JKM.value):
        problems.append(("programme", "Program harus JKK (kecelakaan kerja) atau JKM (kematian)."))
    kind = ""
    if programme == Programme.JKK.value:
        kind = parse_kind(cells.get("kind")) or ""
        if not kind:
            problems.append(("kind", "Jenis manfaat JKK wajib: perawatan, STMB, cacat atau meninggal."))
    elif programme == Programme.JKM.value and str(cells.get("kind") or "").strip() not in ("", "-"):
        problems.append(("kind", "Jenis manfaat hanya untuk JKK: kosongkan untuk JKM."))
    event = sheets.parse_date_cell(cells.get("event"))
    paid = sheets.parse_date_cell(cells.get("paid"))
    if event is None:
        problems.append(("event", "Tanggal kejadian tidak terbaca: tulis 03/02/2025 atau 2025-02-03."))
    elif event > today:
        problems.append(("event", "Tanggal kejadian ada di masa depan: periksa tahunnya."))
    if paid is None:
        problems.append(("paid", "Tanggal bayar tidak terbaca: tulis 17/02/2025 atau 2025-02-17."))
    elif paid > today:
        problems.append(("paid", "Tanggal bayar ada di masa depan: catat klaim setelah dibayar."))
    elif event is not None and paid < event:
        problems.append(("paid", "Tanggal bayar lebih awal dari tanggal kejadian: periksa keduanya."))
    amount = parse_amount(cells.get("amount"))
    if amount is None:
        problems.append(("amount", "Jumlah tidak terbaca: tulis angka Rupiah, contoh 42.000.000."))
    elif amount <= 0:
        problems.append(("amount", "Jumlah harus lebih dari nol: tulis Rupiah yang dibayar BPJS."))
    kpj = nik = None
    if sheets.cell_text(cells.get("kpj")).strip():
        kpj = normalise_kpj(cells.get("kpj"))
        if kpj is None:
            problems.append(("kpj", "Nomor KPJ harus 11 digit angka: salin dari kartu peserta BPJS."))
    elif sheets.cell_text(cells.get("nik")).strip():
        nik, why = nik_cell(cells.get("nik"))
        if nik is None:
            problems.append(("nik", why or "NIK tidak valid."))
    else:
        problems.append(("kpj", "Tulis nomor KPJ (11 digit) atau NIK pekerja."))
    if problems:
        return None, problems
    assert event is not None and paid is not None and amount is not None
    return ClaimRow(kpj, nik, programme, kind, event, paid, amount), []
