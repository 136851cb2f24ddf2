"""A deterministic corpus of worker files, good and bad, built on demand (nothing binary is committed).

    python -m tests.data.workers.corpus OUTDIR    # write every file of the corpus into OUTDIR

`good_rows(n)` gives valid rows (NIK consistent with birth date and sex, real kelurahan names); the benchmark
builds its 200,000-row workbook from it. README.md beside this file lists the files and what each one tries.
"""

import csv
import datetime as dt
import io
import random
import sys
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from services.platform.regions import read_kelurahan_csv

HEADER = ["No", "NIK", "Nama Lengkap", "Jenis Kelamin", "Tgl Lahir", "Kelurahan", "Kecamatan", "Alamat",
          "Pekerjaan", "Desil", "No HP", "Latitude", "Longitude"]  # fmt: skip
FIRST = ["Siti", "Budi", "Dewi", "Agus", "Rina", "Joko", "Sri", "Ahmad", "Nur", "Eko", "Wati", "Rudi"]
FAMILY = ["Rahayu", "Santoso", "Lestari", "Hidayat", "Wijaya", "Kusuma", "Saputra", "Pratama", "Nasution"]
JOBS = ["Pedagang kaki lima", "Pengemudi ojek", "Buruh bangunan", "Petugas kebersihan", "Juru parkir", "Nelayan"]


def nik_for(birth: dt.date, sex: str, serial: int, region: str = "367101") -> str:
    day = birth.day + (40 if sex == "P" else 0)
    return f"{region}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def good_rows(n: int, *, seed: int = 12, start_serial: int = 1) -> list[list[Any]]:
    """n valid rows in the HEADER's order (text NIK, dd/mm/yyyy dates, 08… phones, every 7th without lat/lon)."""
    rng = random.Random(seed)
    kel = read_kelurahan_csv()
    places = list(
        zip(kel["kelurahan_name"], kel["kecamatan_name"], kel["rep_point_lat"], kel["rep_point_lon"], strict=True)
    )
    regions = ["367101", "367102", "367105", "367107", "367109", "360302", "317401"]  # some issued outside 36.71
    rows = []
    for i in range(n):
        sex = "P" if rng.random() < 0.45 else "L"
        birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 40 * 365))
        serial = (start_serial + i) % 9999 + 1
        region = regions[(i // 9999) % len(regions)] if n > 9999 else regions[i % len(regions)]
        kel_name, kec_name, lat, lon = places[rng.randrange(len(places))]
        with_point = i % 7 != 0
        rows.append([
            i + 1,
            nik_for(birth, sex, serial, region) if n <= 9999 else nik_for(birth, sex, serial, region),
            f"{rng.choice(FIRST)} {rng.choice(FAMILY)}",
            sex,
            birth.strftime("%d/%m/%Y"),
            kel_name,
            kec_name,
            f"Jl. Melati No. {rng.randrange(1, 200)} RT 00{rng.randrange(1, 9)}/RW 00{rng.randrange(1, 9)}",
            rng.choice(JOBS),
            rng.choice([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, ""]),
            "08" + "".join(str(rng.randrange(10)) for _ in range(10)),
            round(lat + rng.uniform(-0.001, 0.001), 6) if with_point else "",
            round(lon + rng.uniform(-0.001, 0.001), 6) if with_point else "",
        ])  # fmt: skip
    return rows


def unique_good_rows(n: int, *, seed: int = 12) -> list[list[Any]]:
    """Like good_rows but with every NIK distinct (the serial and the birth date together vary)."""
    rows = good_rows(n, seed=seed)
    seen: set[str] = set()
    for r in rows:
        nik = str(r[1])
        while nik in seen:
            nik = nik[:12] + f"{int(nik[12:]) % 9999 + 1:04d}"
        seen.add(nik)
        r[1] = nik
    return rows


def xlsx(rows: list[list[Any]], header: list[str] = HEADER) -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Data")
    ws.append(header)
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows: list[list[Any]], header: list[str] = HEADER, *, sep: str = ",", encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue().encode(encoding)


def mixed_rows() -> list[list[Any]]:
    """Good rows in every accepted spelling, and bad rows each with one known fault (the e2e file)."""
    good = good_rows(6, seed=7)
    good[1][4] = dt.datetime.strptime(good[1][4], "%d/%m/%Y").strftime("%Y-%m-%d")  # 1980-11-15
    good[2][4] = good[2][4].replace("/", "-")  # 15-11-1980
    good[3][10] = "+62 " + good[3][10][1:4] + "-" + good[3][10][4:]  # +62 812-3456…
    good[4][5] = "Kel. " + good[4][5].upper()
    bad = good_rows(4, seed=8, start_serial=500)
    bad[0][1] = bad[0][1][:12] + "0000"  # serial 0000
    bad[1][5] = "Xyzzy"  # unknown kelurahan
    bad[2][3] = "P" if bad[2][3] == "L" else "L"  # sex disagrees with the NIK
    bad[3][9] = 11  # desil out of range
    dup = list(good[0])  # the first good row again: a duplicate
    return [*good, ["", "", "", "", "", "", "", "", "", "", "", "", ""], *bad, dup]


def corpus() -> dict[str, bytes]:
    """file name -> content. Each bad file tries one thing (see README.md)."""
    g = good_rows(3, seed=3)
    wrong = csv_bytes([["Sepatu", "100000"]], header=["Nama Barang", "Harga"])
    latin = [list(r) for r in good_rows(3, seed=4)]
    latin[0][2], latin[1][7] = "André Pétrus", "Jl. Cité No. 3"
    formula = [list(r) for r in good_rows(3, seed=5)]
    formula[0][2] = '=HYPERLINK("http://evil.example","klik")'
    formula[1][7] = "@SUM(1+1)"
    as_number = [list(r) for r in good_rows(2, seed=6)]
    for r in as_number:
        r[1] = int(r[1])
    dates = [list(r) for r in good_rows(3, seed=9)]
    dates[0][1] = dates[0][1][:6] + "32" + dates[0][1][8:]  # day 32
    dates[1][1] = dates[1][1][:8] + "13" + dates[1][1][10:]  # month 13
    dates[2][1] = dates[2][1][:6] + "72" + dates[2][1][8:]  # woman's day 72 - 40 = 32
    serial = [list(r) for r in good_rows(2, seed=10)]
    serial[0][1] = serial[0][1][:12] + "0000"
    places = [list(r) for r in good_rows(5, seed=11)]
    places[0][5], places[0][6] = "Sudimara", ""  # ambiguous: Sudimara Barat/Timur/Jaya/Selatan/Pinang
    places[1][5], places[1][6] = "Xyzzy", ""  # unknown
    places[2][5], places[2][6] = "Kereo", "Larangan"  # a spelling variant: accepted as Kreo
    places[3][5], places[3][6] = "Cibodasari", "Cibodas"  # accepted as Cibodas Sari
    places[4][5], places[4][6] = "Kreo", "Karawaci"  # kecamatan disagrees
    dups = [list(r) for r in good_rows(2, seed=12)]
    dups += [list(dups[0]), list(dups[0])]
    return {
        "empty.csv": b"",
        "header_only.xlsx": xlsx([]),
        "wrong_columns.csv": wrong,
        "renamed_binary.xlsx": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        "old_excel.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512,
        "latin1_semicolon.csv": csv_bytes(latin, sep=";", encoding="latin-1"),
        "formula_injection.csv": csv_bytes(formula),
        "nik_as_number.xlsx": xlsx(as_number),
        "impossible_nik_dates.csv": csv_bytes(dates),
        "serial_0000.csv": csv_bytes(serial),
        "kelurahan_ambiguous_unknown.csv": csv_bytes(places),
        "duplicates_in_file.csv": csv_bytes(dups),
        "mixed_good_bad.xlsx": xlsx(mixed_rows()),
        "good.csv": csv_bytes(g),
    }


def oversize(limit: int) -> bytes:
    """A CSV one byte over `limit` (built in memory at test time, never committed)."""
    head = csv_bytes(good_rows(1))
    return head + b"#" * (limit + 1 - len(head))


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "worker-corpus")
    out.mkdir(parents=True, exist_ok=True)
    for name, content in corpus().items():
        (out / name).write_bytes(content)
        print(out / name)
