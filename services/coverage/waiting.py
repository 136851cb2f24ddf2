"""Which registration a row of BPJS's answer closes: a pledge's assignment or the city's registration, and the
payer code (`Kode Penanggung`) a row may carry back from the registration file; a row for a worker on another
payer than the one exported is refused (services/coverage/results.py applies the rest)."""

import re
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session, col

from models import (
    Assignment,
    AssignmentStatus,
    CityRegistration,
    CityRegistrationStatus,
    CoverMonth,
    Kelurahan,
    Pledge,
    Worker,
)
from services.coverage.regfile import allocation_code, pledge_code
from services.platform import sheets

NOT_WAITING = "NIK ini tidak sedang didaftarkan ke BPJS (tidak ada di berkas pendaftaran Anda): periksa NIK-nya."


def _kelurahan_in(kecamatan: list[str]) -> Any:
    return select(col(Kelurahan.code)).where(col(Kelurahan.kecamatan_code).in_(kecamatan))


CODE_PATTERN = re.compile(r"^(IKRAR|APBD)-(\d+)$")
UNKNOWN_CODE = "Kode Penanggung tidak dikenal: tulis seperti di berkas pendaftaran, misalnya IKRAR-12 atau APBD-3."
TWO_WAITING = (
    "Pekerja ini menunggu kartu dari dua penanggung (ikrar perusahaan dan APBD Kota): isi kolom Kode Penanggung "
    "seperti di berkas pendaftaran."
)


def payer_code(value: sheets.Cell) -> str | None:
    """The payer code of a result row ('' when the column is blank or absent; None when it is not a code)."""
    text = re.sub(r"\s+", "", str(value or "")).upper()
    if not text:
        return ""
    return text if CODE_PATTERN.match(text) else None


_Waiting = tuple[str, Any, int, str]  # (kind "csr"/"apbd", Assignment or CityRegistration, months, payer code)


def choose(options: list[_Waiting], code: str) -> _Waiting | str:
    """Which registration a result row closes, or why none: the payer the row names must be the one exported."""
    if not options:
        return NOT_WAITING
    if code:
        for option in options:
            if option[3] == code:
                return option
        names = " dan ".join(f"{'APBD Kota' if o[0] == 'apbd' else 'ikrar perusahaan'} ({o[3]})" for o in options)
        return (
            f"Pekerja ini didaftarkan atas penanggung {names}, bukan {code}: BPJS menagih penanggung yang tertulis "
            "di berkas pendaftaran. Periksa baris ini dengan BPJS."
        )
    waiting = [o for o in options if o[1].status == AssignmentStatus.REGISTERED.value]
    if len(waiting) == 1:
        return waiting[0]
    return options[0] if len(options) == 1 else TWO_WAITING


def waiting_registrations(session: Session, niks: list[str], scope: list[str] | None) -> dict[str, list[_Waiting]]:
    """Per NIK, the registrations BPJS may close: a pledge's registered/active assignment, the city's
    registered/active registration (with the months its allocation pays)."""
    area = [] if scope is None else [col(Worker.kelurahan_code).in_(_kelurahan_in(scope))]
    out: dict[str, list[_Waiting]] = {}
    for i in range(0, len(niks), 5_000):
        chunk = niks[i : i + 5_000]
        pledged: dict[str, _Waiting] = {}
        for nik, assignment, months in session.execute(
            select(col(Worker.nik), Assignment, col(Pledge.months))
            .join(Assignment, col(Assignment.worker_id) == Worker.id)
            .join(Pledge, col(Pledge.id) == Assignment.pledge_id)
            .where(
                col(Worker.nik).in_(chunk),
                col(Assignment.status).in_([AssignmentStatus.REGISTERED.value, AssignmentStatus.ACTIVE.value]),
                *area,
            )
        ).all():
            pledged[nik] = ("csr", assignment, int(months), pledge_code(assignment.pledge_id))
        for nik, option in pledged.items():
            out.setdefault(nik, []).append(option)
        city = session.execute(
            select(col(Worker.nik), CityRegistration)
            .join(CityRegistration, col(CityRegistration.worker_id) == Worker.id)
            .where(
                col(Worker.nik).in_(chunk),
                col(CityRegistration.status).in_(
                    [CityRegistrationStatus.REGISTERED.value, CityRegistrationStatus.ACTIVE.value]
                ),
                *area,
            )
            .order_by(col(CityRegistration.id))
        ).all()
        months = _city_months(session, [reg.worker_id for _, reg in city])
        for nik, reg in city:
            n = months.get((reg.allocation_id, reg.worker_id), 0)
            out.setdefault(nik, []).append(("apbd", reg, max(n, 1), allocation_code(reg.allocation_id)))
    return out


def _city_months(session: Session, worker_ids: list[int]) -> dict[tuple[int, int], int]:
    """Months each (allocation, worker) pays in the ledger, in one grouped query (by the worker index)."""
    return {
        (int(a), int(w)): int(n)
        for w, a, n in session.execute(
            select(col(CoverMonth.worker_id), col(CoverMonth.allocation_id), func.count())
            .where(col(CoverMonth.worker_id).in_(worker_ids), col(CoverMonth.allocation_id).is_not(None))
            .group_by(col(CoverMonth.worker_id), col(CoverMonth.allocation_id))
        ).all()
    }
