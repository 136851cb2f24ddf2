"""Spreadsheets built to hurt the reader (issue 23): each is a valid .xlsx container a user could upload.

- `sparse()`: a header at A1 and one cell at XFD200000 — 1,5 KB; a dense reader allocates 200.000 x 16.384 cells.
- `tall()`: 1.048.576 rows (Excel's maximum) of one cell each, with or without a `<dimension>` claim.
- `wide()`: one header row of 16.384 columns (A..XFD).
- `bomb()`: one sheet unpacking to 200 MB of blanks (deflate packs it ~1000:1 into ~200 KB).
Each is written in one pass with the zip streamed, so building one costs memory of the packed size only."""

import io
import zipfile
from collections.abc import Iterator

from services.platform.uploads import column_letters

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
    'main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)
_HEAD = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _text(ref: str, value: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def xlsx(sheet_parts: Iterator[str]) -> bytes:
    """An .xlsx whose only sheet's XML is the concatenation of `sheet_parts` (streamed into the zip)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CONTENT_TYPES)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            for part in sheet_parts:
                sheet.write(part.encode())
    return buffer.getvalue()


def sparse(last: str = "XFD200000") -> bytes:
    return xlsx(
        iter(
            [
                _HEAD,
                f'<dimension ref="A1:{last}"/><sheetData>',
                f'<row r="1">{_text("A1", "nik")}</row>',
                f'<row r="{last.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}">{_text(last, "x")}</row>',
                "</sheetData></worksheet>",
            ]
        )
    )


def tall(rows: int = 1_048_576, *, dimension: bool = False) -> bytes:
    def parts() -> Iterator[str]:
        yield _HEAD + (f'<dimension ref="A1:A{rows}"/>' if dimension else "") + "<sheetData>"
        yield f'<row r="1">{_text("A1", "nik")}</row>'
        for start in range(2, rows + 1, 10_000):
            yield "".join(
                f'<row r="{i}"><c r="A{i}"><v>{i}</v></c></row>' for i in range(start, min(start + 10_000, rows + 1))
            )
        yield "</sheetData></worksheet>"

    return xlsx(parts())


def wide(columns: int = 16_384) -> bytes:
    cells = "".join(_text(f"{column_letters(j)}1", f"k{j}") for j in range(1, columns + 1))
    return xlsx(iter([_HEAD, '<sheetData><row r="1">', cells, "</row></sheetData></worksheet>"]))


def bomb(megabytes: int = 200) -> bytes:
    def parts() -> Iterator[str]:
        yield _HEAD + "<sheetData>"
        blank = " " * (1 << 20)
        for _ in range(megabytes):
            yield blank
        yield "</sheetData></worksheet>"

    return xlsx(parts())


HOSTILE = {"sparse": sparse, "tall": tall, "wide": wide, "bomb": bomb}
