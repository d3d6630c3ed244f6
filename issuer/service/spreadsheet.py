"""CSV files as spreadsheets export them, read defensively, and CSV written safely for them.

Reading (``read_table``): UTF-8 with or without a byte order mark, UTF-16 with one, else
Windows-1252 (what French Excel writes), else Latin-1; comma, semicolon or tab as the
delimiter, chosen from the header line; quoted fields, quoted line breaks, CRLF. A
workbook (.xlsx, .xls), a binary file or a NUL byte is refused rather than guessed at.
Limits on the number of rows and the length of a cell are checked while reading, so a
hostile file costs no more than the limit.

Writing (``write_csv``): RFC 4180 with CRLF and a UTF-8 BOM (so Excel reads the accents),
and every cell that a spreadsheet would run as a formula (``= + - @``, tab, CR) gets a
leading apostrophe. OWASP, "CSV Injection": https://owasp.org/www-community/attacks/CSV_Injection
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from shared.errors import InvalidInputError, PayloadTooLargeError

DELIMITERS = (",", ";", "\t")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class CsvFileError(InvalidInputError):
    """The uploaded file cannot be read as a CSV table (empty, a workbook, binary, no header)."""

    code = "csv-unreadable"
    status = 422
    title = "The CSV file cannot be read"

    def __init__(self, msgid: str, *, reason: str, line: int | None = None, **values: Any) -> None:
        #: an English message id (translated by the caller) and its placeholders
        self.msgid = msgid
        self.values = {"line": line, **values}
        super().__init__(msgid.format(**self.values), reason=reason, line=line)


class CsvTooLargeError(PayloadTooLargeError):
    """The CSV file has more bytes or more rows than the service accepts."""

    code = "csv-too-large"
    title = "The CSV file is too large"

    def __init__(self, msgid: str, *, limit: int, **values: Any) -> None:
        self.msgid = msgid
        self.values = {"limit": limit, **values}
        super().__init__(msgid.format(**self.values), limit=limit)


@dataclass(frozen=True)
class Table:
    """A header and its data rows (``line`` is the file line where each row starts)."""

    header: list[str]
    rows: list[tuple[int, list[str]]]
    delimiter: str
    encoding: str
    header_line: int = 1


def decode_csv(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of the bytes of a CSV file; CsvFileError if it is not text."""
    if not data.strip():
        raise CsvFileError("The file is empty.", reason="empty")
    if data.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        raise CsvFileError(
            "This is a spreadsheet workbook, not a CSV file. Use “Save as” and choose CSV.",
            reason="workbook",
        )
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(encoding), "utf-16"
            except UnicodeDecodeError as err:
                raise CsvFileError(
                    "The file says it is UTF-16 but is not. Save it as “CSV UTF-8”.",
                    reason="encoding",
                ) from err
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8"
        except UnicodeDecodeError as err:
            raise CsvFileError(
                "The file says it is UTF-8 but is not. Save it as “CSV UTF-8”.",
                reason="encoding",
            ) from err
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "iso-8859-1"


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line
    return ""


def detect_delimiter(text: str, known: Callable[[str], bool]) -> str:
    """The delimiter under which the header line has the most known column names.

    With no known name at all, the delimiter that occurs most in the header line (comma
    on a tie, the RFC 4180 one).
    """
    line = _first_line(text)
    best, best_score = ",", (-1, -1)
    for delimiter in DELIMITERS:
        try:
            cells = next(csv.reader([line], delimiter=delimiter), [])
        except csv.Error:
            continue
        score = (sum(1 for c in cells if known(c)), line.count(delimiter))
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_table(
    data: bytes,
    *,
    known: Callable[[str], bool],
    max_rows: int,
    max_bytes: int,
) -> Table:
    """The header and data rows of a CSV file (blank rows skipped, but counted as lines).

    Raises CsvTooLargeError past ``max_bytes`` or ``max_rows`` data rows, and CsvFileError
    for a file that is not a readable table.
    """
    if len(data) > max_bytes:
        raise CsvTooLargeError(
            "The file is larger than {limit_kb} kB; split it into several files.",
            limit=max_bytes,
            limit_kb=max_bytes // 1024,
        )
    text, encoding = decode_csv(data)
    if "\x00" in text:
        raise CsvFileError(
            "The file contains NUL bytes: it is not a text CSV file. Save it as “CSV UTF-8”.",
            reason="binary",
        )
    delimiter = detect_delimiter(text, known)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    header_line = 1
    rows: list[tuple[int, list[str]]] = []
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            raise CsvFileError(
                "Line {line}: the file cannot be read there ({why}). Check the quotes.",
                reason="syntax",
                line=reader.line_num,
                why=str(err),
            ) from err
        start, line = line, reader.line_num + 1
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header, header_line = [c.strip() for c in cells], start
            continue
        if len(rows) >= max_rows:
            raise CsvTooLargeError(
                "The file has more than {limit} rows; split it into several files.",
                limit=max_rows,
            )
        rows.append((start, [c.replace("\r\n", "\n") for c in cells]))
    if header is None:
        raise CsvFileError("The file is empty.", reason="empty")
    return Table(header, rows, delimiter, encoding, header_line)


def neutralise_formula(value: str) -> str:
    """A cell a spreadsheet shows as text: a leading apostrophe before ``= + - @`` tab CR."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def write_csv(
    header: Sequence[str], rows: Iterable[Sequence[Any]], *, delimiter: str = ","
) -> bytes:
    """A CSV file (UTF-8 with BOM, CRLF) whose cells are all safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    for row in [header, *rows]:
        writer.writerow([neutralise_formula("" if c is None else str(c)) for c in row])
    return codecs.BOM_UTF8 + out.getvalue().encode("utf-8")
