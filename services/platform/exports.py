"""Files a company downloads: the masked worker list as CSV and Excel, safe against formula injection.

A spreadsheet treats a cell that starts with = + - @ (or a tab / carriage return before them) as a formula;
a worker's name or address typed as `=HYPERLINK(...)` would run when the file is opened. In CSV every such
text cell gets a leading single quote; in Excel it is a text cell with Excel's own hidden quote prefix (shown as
typed, "-3", never "'-3", and still text after an edit). Control characters (CR, LF, tab, NUL …) inside text
become spaces first: a carriage return in a name would otherwise split the row in some readers and start the
next one with `=…`. Every CSV field is quoted. NIK and other identifiers are written as text, never as numbers.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Sequence
from functools import partial
from typing import Any

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

# Full-width forms too: some spreadsheets fold them to their ASCII twins.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
TEXT_COLUMNS = {"NIK", "KPJ"}
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def looks_like_formula(text: str) -> bool:
    return text.lstrip().startswith(FORMULA_PREFIXES)


def safe_cell(value: Any, *, quote: bool = True) -> Any:
    """Neutralise a text cell: control characters become spaces, and a cell a spreadsheet would read as a
    formula (also after leading blanks) gets a leading quote (`quote=False`: Excel, which marks the cell instead).
    Other values pass unchanged."""
    if not isinstance(value, str):
        return value
    text = _CONTROL.sub(" ", value)
    if quote and looks_like_formula(text):
        return "'" + text
    return text


def _safe_frame(df: pd.DataFrame, *, quote: bool = True) -> pd.DataFrame:
    out = df.copy()
    out.columns = [safe_cell(str(c), quote=quote) for c in out.columns]
    for column in out.columns:
        # Text columns are 'object' or the string dtype depending on the pandas version: check "not numeric".
        if not pd.api.types.is_numeric_dtype(out[column]):
            out[column] = out[column].astype(object).map(partial(safe_cell, quote=quote))
    return out


def text_cell(cell: Cell) -> Cell:
    """An Excel text cell that stays text: never a formula, also after the user edits it (quote prefix). Excel
    marks it inert itself, so its text needs no visible apostrophe (write it with `safe_cell(quote=False)`)."""
    cell.data_type = "s"
    if isinstance(cell.value, str) and looks_like_formula(cell.value):
        cell.quotePrefix = True
    return cell


def to_csv(df: pd.DataFrame) -> bytes:
    """UTF-8 with BOM (so Excel shows Indonesian characters), separator ';' and decimal comma (4,83) as Excel
    expects in id-ID — one locale, not ';' with dot decimals; every field quoted, so a line break inside a value
    never starts a new row."""
    return (
        _safe_frame(df)
        .to_csv(index=False, sep=";", decimal=",", quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        .encode("utf-8-sig")
    )


def to_xlsx(df: pd.DataFrame, *, sheet_title: str = "Pekerja", title: str | None = None) -> bytes:
    """One sheet; identifiers as text cells ('@' format); header bold and frozen."""
    return to_xlsx_book([(sheet_title, df, title)])


def to_xlsx_book(sheets: Sequence[tuple[str, pd.DataFrame, str | None]]) -> bytes:
    """One workbook of several sheets (name, frame, optional title line), each written as `to_xlsx` writes one."""
    wb = Workbook()
    first = wb.active
    assert first is not None
    for k, (sheet_title, df, title) in enumerate(sheets):
        ws = first if k == 0 else wb.create_sheet()
        ws.title = sheet_title[:31]
        _write_sheet(ws, df, title)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _write_sheet(ws: Worksheet, df: pd.DataFrame, title: str | None) -> None:
    first_row = 1
    if title:
        text_cell(ws.cell(row=1, column=1, value=safe_cell(title, quote=False))).font = Font(bold=True, size=12)
        first_row = 3
    safe = _safe_frame(df, quote=False)
    for j, column in enumerate(safe.columns, start=1):
        cell = text_cell(ws.cell(row=first_row, column=j, value=column))
        cell.font = Font(bold=True)
        width = max([len(str(column))] + [len(str(v)) for v in safe[column].head(500)])
        ws.column_dimensions[get_column_letter(j)].width = min(max(width + 2, 8), 50)
    text_cols = {j for j, c in enumerate(df.columns, start=1) if str(c) in TEXT_COLUMNS}
    for i, row in enumerate(safe.itertuples(index=False), start=first_row + 1):
        for j, value in enumerate(row, start=1):
            if value is None or (isinstance(value, float) and pd.isna(value)):
                value = None
            if j in text_cols and value is not None:
                cell = text_cell(ws.cell(row=i, column=j, value=str(value)))
                cell.number_format = "@"
            elif isinstance(value, str):
                text_cell(ws.cell(row=i, column=j, value=value))
            else:
                if isinstance(value, pd.Timestamp):
                    value = value.to_pydatetime()
                cell = ws.cell(row=i, column=j, value=value.item() if hasattr(value, "item") else value)
                if isinstance(value, dt.datetime):
                    cell.number_format = "d mmm yyyy hh:mm"  # a real date-time, shown by the cell's format
                elif isinstance(value, dt.date):
                    cell.number_format = "d mmm yyyy"
    ws.freeze_panes = ws.cell(row=first_row + 1, column=1)
