"""One corpus of hostile names (issue 23), pushed through every output Payung produces (tests/unit/test_escaping.py).

Each is a company name (or contact, or letter subject) a recipients file or a form could carry. NUL is kept apart:
the database refuses it (services/platform/db.py, tests/integration/test_hardening_misc.py), so no stored name
holds it; outputs that take typed text still must not break on it."""

NUL = "PT Nol\x00Byte"

CORPUS: dict[str, str] = {
    "double quotes": 'CV "Sinar" Jaya',
    "attribute breakout": 'PT A" onload="alert(document.domain)',
    "single quote": "PT O'Neil & Putra",
    "svg onload": "<svg onload=alert(1)>",
    "script end": "</script><script>alert(1)</script>",
    "javascript url": "javascript:alert(1)",
    "markdown link": "[klik](javascript:alert(1))",
    "formula =": '=HYPERLINK("http://x","a")',
    "formula +": "+62 812 SUM(A1)",
    "formula -": "-2+3+cmd|' /C calc'!A0",
    "formula @": "@SUM(1+1)",
    "tab": "\t=1+1",
    "carriage return": "PT Baris\r=1+1",
    "line feed header": "Pengingat\r\nBcc: semua@contoh.id",
    "rtl override": "PT \u202egnp.exe",
    "zero width": "PT\u200b Ma\u200cju\u200d Jaya\ufeff",
    "combining": "PT Z\u0336\u0321a\u0337l\u0338g\u0335o",
    "emoji": "PT Payung ☂️🇮🇩 Sejahtera",
    "very long": "PT " + "Panjang" * 1_428 + "x",  # 10.000 characters
    "ampersand entity": "PT &lt;b&gt; &amp; &#x3c;",
}
assert len(CORPUS["very long"]) == 10_000
