"""The quarterly report as one Excel workbook (`services.insight.quarterly.sheets`): numbers stay numbers with the
catalogue unit's number format, dates are dates, text cells are formula-safe Excel text."""

import datetime as dt
import io
from typing import Any

import pandas as pd
from openpyxl import Workbook

from services.insight.catalogue import figure
from services.insight.payers import PAYER_FIGURES
from services.insight.quarterly import HEADLINE_ROWS, OUTLOOK_KEYS, QuarterlyReport, sheets
from services.platform.exports import safe_cell, text_cell

# Excel number formats per catalogue unit (real numbers and dates, formatted by the cell).
EXCEL_FORMATS = {
    "rupiah": '"Rp"#,##0',
    "persen": "0.0%",
    "desimal": "#,##0.0",
    "km": "#,##0.0",
    "tanggal": "d mmm yyyy",
}
WHOLE_FORMAT = "#,##0"
# Table columns that are not plain counts, by their Indonesian header.
COLUMN_UNITS = {
    "Porsi terlindungi": "persen",
    "Konversi dari tahap sebelumnya": "persen",
    "Porsi dari surat terkirim": "persen",
    "Tingkat tanggapan": "persen",
    "Komitmen (Rp)": "rupiah",
    "Menjawab": "tanggal",
    "Median hari": "hari",
}


def _unit_of(sheet: str, header: str, row_label: object) -> str | None:
    """The unit of a cell: the summary's and the payers' rows carry their figure's unit, other sheets their
    column's."""
    if sheet in ("Ringkasan", "Penanggung") and header != "Ukuran":
        keys = [*(k for _, k in HEADLINE_ROWS), *PAYER_FIGURES, *OUTLOOK_KEYS]
        by_label = {figure(k).label: figure(k).unit for k in keys}
        return "rupiah" if str(row_label).endswith("(Rp)") else by_label.get(str(row_label))
    return COLUMN_UNITS.get(header) or ("rupiah" if header.endswith("(Rp)") else None)


def _write_sheet(ws: Any, name: str, title: str, df: pd.DataFrame) -> None:
    """Title in A1, headers on row 3, then the rows: numbers as numbers with a number format, dates as dates,
    text formula-safe, a dash where there is no value."""
    # Text cells are Excel text cells (inert, no visible apostrophe); CSV is where the apostrophe guard belongs.
    ws.append([safe_cell(title, quote=False)])
    ws.append([])
    ws.append([safe_cell(str(c), quote=False) for c in df.columns])
    for values in df.itertuples(index=False):
        row: list[Any] = []
        for value in values:
            if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
                row.append("–")
            elif isinstance(value, str):
                row.append(safe_cell(value, quote=False))
            elif isinstance(value, pd.Timestamp):
                row.append(value.date())
            elif hasattr(value, "item"):  # numpy scalars
                row.append(value.item())
            else:
                row.append(value)
        ws.append(row)
        for header, cell in zip(df.columns, ws[ws.max_row], strict=True):
            unit = _unit_of(name, str(header), row[0])
            if isinstance(cell.value, (int, float, dt.date)) and not isinstance(cell.value, bool):
                if isinstance(cell.value, dt.date):
                    unit = "tanggal"
                cell.number_format = EXCEL_FORMATS.get(unit or "", WHOLE_FORMAT)
    for line in ws.iter_rows():
        for cell in line:
            if isinstance(cell.value, str):
                text_cell(cell)
    for column in ws.columns:
        width = max(len(str(c.value)) for c in column if c.value is not None) if column else 10
        ws.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 80)


def to_excel(report: QuarterlyReport) -> bytes:
    """One workbook, a sheet per table, ending with the definitions: numbers stay numbers with real number formats
    (Rupiah, percent, whole numbers), dates are dates (d mmm yyyy), text cells are formula-safe."""
    book = Workbook()
    book.remove(book.active)
    for name, df in sheets(report).items():
        _write_sheet(book.create_sheet(name), name, f"{report.label} - {report.letter_number}", df)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
