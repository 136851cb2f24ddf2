"""Leaderboard badges and size bands: the rules as pure functions (no database), and the badge image as SVG.

Every rule here is also shown on the public page (`BADGES[...].rule`, `SIZE_BANDS`), so what a visitor reads is
what the code does.
"""

from dataclasses import dataclass

from services.platform.text import xml_attr, xml_text

PIONEER_PLACES = 10  # Perintis: among the first ten companies to answer the letter


@dataclass(frozen=True)
class Badge:
    code: str
    label: str
    rule: str
    colour: str


BADGES: dict[str, Badge] = {
    b.code: b
    for b in (
        Badge(
            "perintis",
            "Perintis",
            f"Termasuk {PIONEER_PLACES} perusahaan pertama yang menjawab surat edaran.",
            "#0b6e4f",
        ),
        Badge(
            "tuntas",
            "Tuntas",
            "Semua pekerja yang diikrarkan sudah memegang kartu BPJS dan perlindungannya sedang berjalan "
            "(terlindungi saat ini paling sedikit sama dengan pekerja diikrarkan).",
            "#1d4e89",
        ),
        Badge("konsisten", "Konsisten", "Sudah memperpanjang perlindungan paling sedikit sekali.", "#7a3e9d"),
        Badge(
            "saran",
            "{minimum}+",
            "Pekerja yang pernah dilindungi (kartu terbit) mencapai saran surat edaran: {minimum}.",
            "#b5531b",
        ),
    )
}
BADGE_ORDER = tuple(BADGES)

# Size bands by number of employees (BPS's classification of enterprises by workforce): the fair view ranks a
# company only against companies of its own size.
SIZE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("Mikro", 1, 4),
    ("Kecil", 5, 19),
    ("Menengah", 20, 99),
    ("Besar", 100, None),
)
UNKNOWN_BAND = "Belum diisi"


def size_band(employees: int | None) -> str:
    """The band of a company by its employees; companies that left the number empty form their own group."""
    if employees is None or employees < 1:
        return UNKNOWN_BAND
    for name, low, high in SIZE_BANDS:
        if employees >= low and (high is None or employees <= high):
            return name
    return UNKNOWN_BAND  # unreachable: the last band is open-ended


def band_rule(name: str, low: int, high: int | None) -> str:
    return f"{name}: {low}–{high} karyawan" if high is not None else f"{name}: {low} karyawan atau lebih"


def per_100_employees(workers: int, employees: int | None) -> float | None:
    """Workers protected per 100 employees, so a small firm can lead; None when the size is unknown. Unrounded:
    the value is rounded once, when it is written (148 of 11.000 is 1,3, never 1,35 then 1,4)."""
    if employees is None or employees < 1:
        return None
    return 100.0 * workers / employees


def earned_badges(
    *,
    answer_order: int | None,
    workers_pledged: int,
    workers_protected_now: int,
    workers_protected: int,
    renewals: int,
    suggested_min: int,
) -> tuple[str, ...]:
    """The badge codes a company has earned, in display order."""
    earned = []
    if answer_order is not None and answer_order <= PIONEER_PLACES:
        earned.append("perintis")
    if workers_pledged > 0 and workers_protected_now >= workers_pledged:
        earned.append("tuntas")
    if renewals > 0:
        earned.append("konsisten")
    if suggested_min > 0 and workers_protected >= suggested_min:
        earned.append("saran")
    return tuple(earned)


def contradicted_badges(
    badges: tuple[str, ...] | list[str],
    *,
    answer_order: int | None,
    workers_pledged: int,
    workers_protected_now: int,
    workers_protected: int,
    renewed: bool,
    suggested_min: int,
) -> list[str]:
    """The badges among `badges` that the company's own figures (as its page shows them) contradict: a page may
    show a badge only when the figures beside it satisfy the badge's rule. Empty when all agree."""
    holds = {
        "perintis": answer_order is not None and answer_order <= PIONEER_PLACES,
        "tuntas": workers_pledged > 0 and workers_protected_now >= workers_pledged,
        "konsisten": renewed,
        "saran": suggested_min > 0 and workers_protected >= suggested_min,
    }
    return [code for code in badges if not holds.get(code, False)]


def badge_label(code: str, suggested_min: int) -> str:
    return BADGES[code].label.format(minimum=suggested_min)


def badge_rule(code: str, suggested_min: int) -> str:
    return BADGES[code].rule.format(minimum=suggested_min)


def badge_svg(code: str, *, company: str, suggested_min: int, campaign: str) -> str:
    """A self-contained SVG badge for a company's website or CSR report. Every text and attribute is escaped."""
    badge = BADGES[code]
    short = company if len(company) <= 38 else company[:37] + "…"
    label, name = xml_text(badge_label(code, suggested_min)), xml_text(short)
    campaign_text = xml_text(campaign)
    # Text through xml_text, the attribute through quoteattr: a `"` in a name cannot open a new attribute.
    aria = xml_attr(f"Lencana Payung {badge_label(code, suggested_min)} — {short}")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="320" height="120" viewBox="0 0 320 120" role="img" '
        f"aria-label={aria}>"
        f"<title>Lencana Payung {label} — {name}</title>"
        f'<rect x="1" y="1" width="318" height="118" rx="14" fill="#ffffff" stroke="{badge.colour}" stroke-width="2"/>'
        f'<circle cx="58" cy="60" r="40" fill="{badge.colour}"/>'
        '<path d="M34 62 a24 22 0 0 1 48 0 z" fill="#ffffff"/>'
        '<path d="M58 62 v16 a4 4 0 0 1 -8 0" fill="none" stroke="#ffffff" stroke-width="3"/>'
        f'<text x="112" y="38" font-family="Helvetica, Arial, sans-serif" font-size="22" font-weight="700" '
        f'fill="{badge.colour}">{label}</text>'
        f'<text x="112" y="62" font-family="Helvetica, Arial, sans-serif" font-size="13" fill="#1f2a2e">{name}</text>'
        '<text x="112" y="84" font-family="Helvetica, Arial, sans-serif" font-size="11" fill="#4a5a60">'
        "Payung · Perlindungan pekerja rentan</text>"
        f'<text x="112" y="100" font-family="Helvetica, Arial, sans-serif" font-size="11" fill="#4a5a60">'
        f"Kota Tangerang · {campaign_text}</text>"
        "</svg>"
    )
