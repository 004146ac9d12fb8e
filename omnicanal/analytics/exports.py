"""The report's tables as files: CSV (one block per table, a blank line between) and XLSX
(one sheet per table). Both write the values the page shows, rounded alike (reports.rounded),
so that a figure checked against the page matches."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import xlsxwriter

from omnicanal.analytics.reports import PLACES, Report

# Excel refuses sheet names longer than 31 characters or holding these.
SHEET_FORBIDDEN = str.maketrans({character: " " for character in "[]:*?/\\"})


def report_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([f"{report.period.first.isoformat()} to {report.period.last.isoformat()}"])
    for table in report.tables:
        writer.writerow([])
        writer.writerow([table.title])
        writer.writerow([column.label for column in table.columns])
        for row in table.rows:
            writer.writerow(["" if cell is None else _csv_text(cell) for cell in row])
    return buffer.getvalue()


def _csv_text(cell: object) -> str:
    text = str(cell)
    # A cell starting like a formula would run in a spreadsheet (names and labels are
    # typed by users): quoted as text.
    return "'" + text if text[:1] in ("=", "+", "-", "@") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def report_xlsx(report: Report) -> bytes:
    buffer = io.BytesIO()
    # strings_to_formulas off: user-typed names stay text.
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False,
                                            "strings_to_urls": False})
    bold = workbook.add_format({"bold": True})
    formats = {
        places: workbook.add_format({"num_format": "0" if places == 0 else "0." + "0" * places})
        for places in set(PLACES.values())
    }
    used: set[str] = set()
    for table in report.tables:
        name = table.title.translate(SHEET_FORBIDDEN)[:31]
        while name in used:
            name = name[:29] + str(len(used))
        used.add(name)
        sheet = workbook.add_worksheet(name)
        sheet.write_row(0, 0, [column.label for column in table.columns], bold)
        for row_index, row in enumerate(table.rows, start=1):
            for column_index, cell in enumerate(row):
                column = table.columns[column_index]
                if cell is None:
                    continue
                if isinstance(cell, int | float | Decimal) and column.kind in PLACES:
                    sheet.write_number(row_index, column_index, float(cell),
                                       formats[PLACES[column.kind]])
                elif isinstance(cell, int | float | Decimal):
                    sheet.write_number(row_index, column_index, float(cell))
                else:
                    sheet.write_string(row_index, column_index, cell)
        sheet.set_column(0, 0, 28)
        sheet.set_column(1, len(table.columns), 16)
    workbook.close()
    return buffer.getvalue()
