"""Tables as sentences: every row one line with its column's labels ("Name: David Bowie;
Date of death: 2016-01-10."), so that a sentence carries what each value means. Used for
spreadsheets (.xlsx, .csv) and for the tables of Word, OpenDocument and PowerPoint files
and web pages.

>>> table_lines([["Crop", "Tonnes"], ["Quinces", 9]])
['Crop | Tonnes', 'Crop: Quinces; Tonnes: 9.']
>>> table_lines([["", 2019, 2020], ["Revenue", 100, 120.5]])  # years label the columns
['2019 | 2020', 'Revenue; 2019: 100; 2020: 120.5.']
>>> table_lines([["The cooperative met in the barn on a rainy Thursday.", "Minutes by Ilse."]])
['The cooperative met in the barn on a rainy Thursday.\\nMinutes by Ilse.']
"""

from __future__ import annotations

import datetime
import re

from rag.readers.base import clean_line

MAX_LABEL_WORDS = 8  # "Date of death", "species (office supply type)"; a longer cell is text

# A cell that holds a value rather than a label: a number, a date, a yes/no, or text that
# reads as one (a CSV's cells are all text).
_YEAR = re.compile(r"1[89]\d\d|2[01]\d\d")
_VALUE_TEXT = re.compile(r"[-+]?[$€£]?\d[\d,]*(\.\d+)?%?|\d{4}-\d{2}-\d{2}([ T][\d:.]+)?|\d{1,2}/\d{1,2}/\d{2,4}")


def _cell_text(value) -> str:
    """A cell as a reader would write it: 2016-01-10 (not "2016-01-10 00:00:00"), 3 (not
    3.0), yes/no (not True/False)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time():
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes" if value.second == 0 else "seconds")
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else format(value, ".10g")
    return clean_line(str(value))


def _is_value(value) -> bool:
    if isinstance(value, str):
        return bool(_VALUE_TEXT.fullmatch(value.strip()))
    return value is not None


def _is_year(value) -> bool:
    """A year, which labels a column as often as it is a value ("Item | 2019 | 2020")."""
    return (isinstance(value, int) and not isinstance(value, bool) and 1800 <= value <= 2199) or \
        (isinstance(value, str) and bool(_YEAR.fullmatch(value.strip())))


def _holds_values(row) -> bool:
    """A row of data: it holds a value that is not a year (a row of labels and years is a header)."""
    return any(_is_value(v) and not _is_year(v) for v in row)


def _filled(row) -> set[int]:
    return {i for i, v in enumerate(row) if v is not None and clean_line(str(v))}


def _labels(row: list) -> bool:
    """Whether a row reads as a header: short labels, none a value or a sentence. A Word
    table laid out for the eye ("The cooperative met in the barn …" | "Minutes by Ilse.")
    has none."""
    cells = [c for c in map(_cell_text, row) if c]
    return bool(cells) and not _holds_values(row) and all(
        len(c.split()) <= MAX_LABEL_WORDS and not c.endswith((".", "!", "?")) for c in cells)


def _header_at(rows: list) -> int:
    """Where a sheet's header row is. People write notes above their tables ("Lots of people
    simply cannot resist writing some notes at the top of their spreadsheets", readxl's
    example); so the header is the row of labels only, before the first row holding a value,
    that labels most of that row's columns (the first such, should two label as many). A sheet
    of labels only has its first row as header."""
    first_values = next((i for i, row in enumerate(rows) if _holds_values(row)), None)
    if first_values is None:
        return 0
    needed = _filled(rows[first_values])
    labels = [i for i in range(first_values) if _filled(rows[i])]
    if not labels:
        return first_values  # no row of labels: every row is data
    return max(labels, key=lambda i: (len(_filled(rows[i]) & needed), -i))


def table_lines(rows: list, cell_joiner: str = " ") -> list[str]:
    """A sheet's rows as lines, each value with its column's label ("Name: David Bowie; Date
    of death: 2016-01-10."), and notes written around the table as they are written: above
    the header, and below the last row (``_end_of_table``). A second header row of units or
    remarks ("(in grams)") is joined to the labels (``_with_units``). A note's cells are
    joined by ``cell_joiner`` (a CSV's note was split at its commas)."""
    # Which rows follow an empty one: a sheet may hold tables one below the other.
    after_gap, gap = [], False
    for row in rows:
        if _filled(row):
            after_gap.append(gap)
        gap = not _filled(row)
    return _tables_lines([list(row) for row in rows if _filled(row)], after_gap, cell_joiner)


def _tables_lines(rows: list, after_gap: list[bool], cell_joiner: str) -> list[str]:
    if not rows:
        return []
    at = _header_at(rows)
    header = [_cell_text(v) for v in rows[at]] if _labels(rows[at]) else []
    first = at + 1 if header else at
    following = _next_table(rows[first:], after_gap[first:], header)
    if following is None:
        return _lines(rows, at, header, rows[first:], cell_joiner)
    # The rest of the sheet is read as a table of its own.
    return (_lines(rows, at, header, rows[first : first + following], cell_joiner)
            + _tables_lines(rows[first + following :], after_gap[first + following :], cell_joiner))


def _next_table(body: list, after_gap: list[bool], header: list[str]) -> int | None:
    """Where another table starts below this one: after an empty row, a row of labels only, as
    wide as this table's header at least, above a row of values ("From | To" with its dates,
    then "Feature/Bug | Description | Needed Days | …" with the tasks)."""
    if not header:
        return None
    width = max(2, len([h for h in header if h]))
    for i in range(1, len(body) - 1):
        if after_gap[i] and _labels(body[i]) and len(_filled(body[i])) >= width and _holds_values(body[i + 1]) \
                and [_cell_text(v) for v in body[i]] != header:
            return i
    return None


def _lines(rows: list, at: int, header: list[str], body: list, cell_joiner: str) -> list[str]:
    """One table's lines: notes above its header (rows[:at]), the header, its rows, notes below."""
    header, body = _with_units(header, body)
    end = _end_of_table(body, header)

    def notes(rows: list) -> list[str]:
        return ["\n".join(cell_joiner.join(c for c in map(_cell_text, row) if c) for row in rows)] if rows else []

    lines = notes(rows[:at])
    if header:
        lines.append(" | ".join(h for h in header if h))
    for row in body[:end]:
        values = [_cell_text(v) for v in row]
        if not header:  # a table laid out for the eye, or of values only: its cells as they stand
            # ... but cells of prose a line each: "| In cell D4 is …" began a sentence with a bar.
            prose = any(len(v.split()) > MAX_LABEL_WORDS and v.endswith((".", "!", "?")) for v in values)
            lines.append(("\n" if prose else " | ").join(v for v in values if v))
            continue
        line = "; ".join(f"{h}: {v}" if h else v for h, v in zip(header + [""] * len(values), values) if v)
        lines.append(line if line.endswith((".", "!", "?")) else line + ".")
    return lines + notes(body[end:])


def _with_units(header: list[str], body: list) -> tuple[list[str], list]:
    """A row of labels only just above the first values, labelling every column the header
    does ("(at birth)", "(in grams)"), joined to the header: "weight (in grams)"."""
    if header and len(body) >= 2 and not _has_value(body[0]) and _has_value(body[1]) \
            and _filled(body[0]) >= _filled(header):
        header = [" ".join(filter(None, (h, _cell_text(v)))) for h, v in zip(header + [""] * len(body[0]), body[0])]
        return header, body[1:]
    return header, body


def _end_of_table(body: list, header: list[str]) -> int:
    """Where the table's rows end and notes below it begin: when every row holds a value,
    trailing rows that hold none and fill at most half its columns ("too!") are notes. A
    table of labels only has no such notes: its sparse last rows are rows too."""
    end = len(body)
    while end and not _has_value(body[end - 1]) and len(_filled(body[end - 1])) <= len([h for h in header if h]) / 2:
        end -= 1
    return end if all(_has_value(row) for row in body[:end]) else len(body)


def _has_value(row) -> bool:
    return any(_is_value(v) for v in row)
