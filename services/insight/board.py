"""The leaderboard's pure rules (no database): ranks in every view, badges, filters and sorting.

Every number stays numeric here, so a sort is a numeric sort (260 above 95); the page only formats for display.
"""

from dataclasses import dataclass

import pandas as pd

from services.insight import suppression
from services.insight.badges import SIZE_BANDS, UNKNOWN_BAND, earned_badges, per_100_employees, size_band
from services.platform.errors import ValidationError


@dataclass(frozen=True)
class View:
    code: str
    label: str
    rule: str
    rank_column: str


VIEWS: dict[str, View] = {
    v.code: v
    for v in (
        View(
            "terbanyak",
            "Pernah dilindungi terbanyak",
            "Peringkat menurut jumlah pekerja yang pernah dilindungi (kartu BPJS terbit); bila sama, bagian ikrar "
            "yang terpenuhi lebih besar, lalu yang lebih dulu menjawab surat edaran.",
            "rank",
        ),
        View(
            "per100",
            "Per 100 karyawan",
            "Peringkat menurut pekerja yang pernah dilindungi per 100 karyawan perusahaan, agar perusahaan kecil "
            "dapat memimpin; bila sama, pernah dilindungi terbanyak, lalu yang lebih dulu menjawab. Perusahaan yang "
            "belum mengisi jumlah karyawan ada di urutan terakhir.",
            "rank_per100",
        ),
        View(
            "ukuran",
            "Menurut ukuran perusahaan",
            "Perusahaan dikelompokkan menurut jumlah karyawan (klasifikasi BPS) dan diperingkat di dalam kelompoknya "
            "menurut pekerja dilindungi; bila sama, yang lebih dulu menjawab.",
            "rank_in_band",
        ),
    )
}
DEFAULT_VIEW = "terbanyak"
BAND_ORDER = [name for name, _, _ in SIZE_BANDS][::-1] + [UNKNOWN_BAND]  # large first

# Sort keys a visitor may choose, with their labels (the page's selectbox and the table header use these).
SORT_KEYS: dict[str, str] = {
    "rank": "Peringkat",
    "company": "Nama perusahaan",
    "workers_protected": "Pernah dilindungi",
    "workers_pledged": "Pekerja diikrarkan",
    "share_fulfilled": "Ikrar terpenuhi",
    "rupiah": "Komitmen (Rp)",
    "days_to_answer": "Hari hingga menjawab",
    "months": "Bulan perlindungan",
    "renewed": "Diperpanjang",
    "per_100": "Per 100 karyawan",
}


# Figures a company's suppressed count ("< 3") would give back: in every order they are masked for those companies.
_MASKED_SMALL = {"workers_protected": 1.5, "share_fulfilled": float("nan"), "per_100": float("nan")}


def _masked(df: pd.DataFrame) -> pd.DataFrame:
    """The sort keys as the public sees them: a company shown "< 3" sorts as one band between 0 and 3 (its 1 or 2
    and the share and per-100 made from it are not ordered; the shares sort with the values not shown, last)."""
    small = df["workers_protected"].map(lambda w: suppression.is_small(int(w)))
    return df.assign(**{c: df[c].astype("float64").mask(small, v) for c, v in _MASKED_SMALL.items() if c in df})


def _ordinal(df: pd.DataFrame, by: list[str], ascending: list[bool]) -> pd.Series:
    """1..n in the given order; every tie is broken, last of all by company id, so a rank is never shared — except
    by the companies shown "< 3": they share one rank (the band's first place), which says nothing of their order
    (the board lists them by name)."""
    keyed = _masked(df)
    ordered = keyed.sort_values([*by, "company_id"], ascending=[*ascending, True], na_position="last", kind="stable")
    ranks = pd.Series(range(1, len(ordered) + 1), index=ordered.index, dtype="int64")
    small = df.loc[ordered.index, "workers_protected"].map(lambda w: suppression.is_small(int(w)))
    if small.any():
        ranks[small] = int(ranks[small].min())
    return ranks


def rank_board(df: pd.DataFrame, *, suggested_min: int) -> pd.DataFrame:
    """Add size band, workers per 100 employees, badges and the rank of each view."""
    out = df.copy()
    out["size_band"] = [size_band(None if pd.isna(e) else int(e)) for e in out["employees"]]
    out["per_100"] = pd.Series(
        [
            per_100_employees(int(w), None if pd.isna(e) else int(e))
            for w, e in zip(out["workers_protected"], out["employees"], strict=True)
        ],
        index=out.index,
        dtype="float64",
    )
    out["badges"] = [
        earned_badges(
            answer_order=None if pd.isna(order) else int(order),
            workers_pledged=int(pledged),
            workers_protected_now=int(now),
            workers_protected=int(protected),
            renewals=int(renewals),
            suggested_min=suggested_min,
        )
        for order, pledged, now, protected, renewals in zip(
            out["answer_order"],
            out["workers_pledged"],
            out["workers_protected_now"],
            out["workers_protected"],
            out["renewals"],
            strict=True,
        )
    ]
    answered = pd.to_datetime(out["responded_at"], utc=True)
    keyed = out.assign(_answered=answered)
    out["rank"] = _ordinal(keyed, ["workers_protected", "share_fulfilled", "_answered"], [False, False, True])
    out["rank_per100"] = _ordinal(keyed, ["per_100", "workers_protected", "_answered"], [False, False, True])
    out["rank_in_band"] = pd.Series(0, index=out.index, dtype="int64")
    for _band, group in keyed.groupby("size_band"):
        out.loc[group.index, "rank_in_band"] = _ordinal(group, ["workers_protected", "_answered"], [False, True])
    out = out.assign(_name=out["company"].str.casefold())
    return out.sort_values(["rank", "_name"], kind="stable").drop(columns="_name").reset_index(drop=True)


def board_view(
    rows: pd.DataFrame,
    *,
    view: str = DEFAULT_VIEW,
    sort_by: str = "rank",
    descending: bool = False,
    kecamatan: str | None = None,
    sector: str | None = None,
) -> pd.DataFrame:
    """The rows a visitor asked for: filtered, with the view's rank in `peringkat`, sorted numerically.
    In the size view the rows stay grouped by band (large first), sorted inside each band."""
    if view not in VIEWS:
        raise ValidationError("Tampilan papan peringkat tidak dikenal. Pilih salah satu tampilan yang tersedia.")
    if sort_by not in SORT_KEYS:
        raise ValidationError("Kolom pengurutan tidak dikenal. Pilih salah satu kolom yang tersedia.")
    df = rows
    if kecamatan:
        df = df[df["kecamatan"] == kecamatan]
    if sector:
        df = df[df["sector"] == sector]
    df = df.assign(peringkat=df[VIEWS[view].rank_column], _name=df["company"].str.casefold())
    key = "peringkat" if sort_by == "rank" else sort_by
    sort_cols, ascending = [key, "peringkat", "_name"], [not descending, True, True]
    if key == "company":
        sort_cols[0] = "_name"
    elif key in _MASKED_SMALL:  # sorted by a count shown "< 3", the band keeps its order by name
        df = df.assign(_key=_masked(df)[key])
        sort_cols[0] = "_key"
    if view == "ukuran":
        df = df.assign(_band=df["size_band"].map(BAND_ORDER.index))
        sort_cols, ascending = ["_band", *sort_cols], [True, *ascending]
    ordered = df.sort_values(sort_cols, ascending=ascending, na_position="last", kind="stable")
    return ordered.drop(columns=[c for c in ("_name", "_band", "_key") if c in ordered]).reset_index(drop=True)


PAGE_SIZE = 100  # rows per page of the table; every company name is also in the A-Z index below it


def page_of(rows: pd.DataFrame, *, page: int, size: int = PAGE_SIZE) -> tuple[pd.DataFrame, int]:
    """One page of the ordered rows (a page number past the end shows the last page) and the number of pages."""
    pages = max(1, -(-len(rows) // size))
    page = min(max(page, 0), pages - 1)
    return rows.iloc[page * size : (page + 1) * size], pages


def page_labels(total: int, size: int = PAGE_SIZE) -> dict[int, str]:
    """Page number -> "1–100", "101–200", … for the page selector."""
    pages = max(1, -(-total // size))
    return {p: f"{p * size + 1}–{min((p + 1) * size, total)}" for p in range(pages)}
