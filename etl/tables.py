"""Reading user-supplied CSV files: encodings, delimiters, and whole-file errors."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

# Files larger than this are refused before parsing (the ETL reads whole files into memory).
MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 200
MAX_FIELD_CHARS = 10_000
# An XLSX is a ZIP: refuse archives that would inflate beyond this before parsing (ZIP bombs).
MAX_XLSX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_XLSX_RATIO = 200
MAX_XLSX_MEMBERS = 200

_MAGIC = (
    (b"\x89PNG", "a PNG image"),
    (b"PK\x03\x04", "a ZIP archive (or an XLSX workbook)"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"%PDF", "a PDF document"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an old Excel/Office document"),
)


class InputError(Exception):
    """A whole input cannot be used; the message says what is wrong and what is accepted."""


@dataclass
class Row:
    """One data row: its 1-based line number in the file and its cells by column name."""

    line: int
    cells: dict[str, str]


@dataclass
class Rejection:
    line: int
    reason: str
    value: str

    def as_dict(self) -> dict:
        return {"line": self.line, "reason": self.reason, "value": self.value}


@dataclass
class Table:
    name: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    encoding: str = "utf-8"
    delimiter: str = ","


def read_csv_bytes(
    data: bytes, name: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Table:
    """Parse CSV bytes into a Table of rows with their line numbers.

    Parameters
    ----------
    data : bytes
        The file's content. UTF-8 with or without BOM, or cp1252; `,`, `;` or tab delimited.
    name : str
        How the file is named in messages.
    required, optional : tuple of str
        Column names (matched case-insensitively, surrounding spaces ignored).

    Raises
    ------
    InputError
        When the file as a whole cannot be used: empty, not text, too large, or a required
        column is missing.
    """
    if len(data) > MAX_FILE_BYTES:
        raise InputError(
            f"{name}: file is {len(data):,} bytes; at most {MAX_FILE_BYTES:,} bytes are accepted"
        )
    if not data.strip():
        raise InputError(f"{name}: file is empty; expected a CSV with a header row")
    _refuse_binary(data, name)
    text, encoding = _decode(data, name)
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header, header_line = _read_header(reader, name)
    columns = [_norm_header(c) for c in header]
    if len(columns) > MAX_COLUMNS:
        raise InputError(
            f"{name}: line {header_line}: {len(columns):,} columns; at most {MAX_COLUMNS} accepted"
        )
    missing = [c for c in required if c not in columns]
    if missing:
        found = ", ".join(c for c in columns if c) or "(none)"
        expected = ", ".join(required) + "".join(f"[, {c}]" for c in optional)
        raise InputError(
            f"{name}: missing required column(s) {', '.join(missing)}; found: {found}; expected: {expected}"
        )
    table = Table(name=name, columns=columns, encoding=encoding, delimiter=delimiter)
    wanted = [c for c in (*required, *optional) if c in columns]
    index = {c: columns.index(c) for c in wanted}
    line = reader.line_num + 1
    try:
        for record in reader:
            if len(table.rows) >= MAX_ROWS:
                raise InputError(f"{name}: more than {MAX_ROWS:,} data rows; split the file")
            cells = {c: (record[i].strip() if i < len(record) else "") for c, i in index.items()}
            cells["_raw"] = delimiter.join(record)[:200]
            table.rows.append(Row(line=line, cells=cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise InputError(f"{name}: line {reader.line_num}: not valid CSV ({exc})") from None
    return table


def read_csv_file(path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> Table:
    """Read a CSV file from disk; see `read_csv_bytes`."""
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a directory, expected a CSV file")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError(f"{path}: file is {size:,} bytes; at most {MAX_FILE_BYTES:,} accepted")
    return read_csv_bytes(path.read_bytes(), str(path), required, optional)


def _refuse_binary(data: bytes, name: str) -> None:
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"{name}: this is {what}, not a CSV text file")
    if b"\x00" in data[:8192]:
        raise InputError(f"{name}: contains NUL bytes; this is a binary file, not CSV text")


def _decode(data: bytes, name: str) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{name}: byte {exc.start}: text is neither UTF-8 nor Windows-1252; save it as UTF-8"
        ) from None


def _sniff_delimiter(text: str) -> str:
    first = text.lstrip("\r\n").split("\n", 1)[0][:MAX_FIELD_CHARS]
    counts = {d: _count_outside_quotes(first, d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _count_outside_quotes(line: str, ch: str) -> int:
    inside, n = False, 0
    for c in line:
        if c == '"':
            inside = not inside
        elif c == ch and not inside:
            n += 1
    return n


def _read_header(reader, name: str) -> tuple[list[str], int]:
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                return record, reader.line_num
    except csv.Error as exc:
        raise InputError(f"{name}: line {reader.line_num}: not valid CSV ({exc})") from None
    raise InputError(f"{name}: file has no header row")


def _norm_header(cell: str) -> str:
    return cell.replace("\ufeff", "").strip().strip('"').strip().lower().replace(" ", "_")


def read_xlsx_bytes(
    data: bytes, name: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Table:
    """Read the first worksheet of an XLSX workbook into a Table (row numbers as line numbers).

    The archive is inspected before it is opened: too many members, too much uncompressed
    data, or a suspicious compression ratio is refused as a possible ZIP bomb.
    """
    if len(data) > MAX_FILE_BYTES:
        raise InputError(
            f"{name}: file is {len(data):,} bytes; at most {MAX_FILE_BYTES:,} bytes are accepted"
        )
    if not data.startswith(b"PK\x03\x04"):
        raise InputError(f"{name}: not an XLSX workbook (an XLSX file is a ZIP archive)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise InputError(f"{name}: damaged XLSX/ZIP archive ({exc})") from None
    total = sum(m.file_size for m in members)
    packed = sum(m.compress_size for m in members) or 1
    if len(members) > MAX_XLSX_MEMBERS or total > MAX_XLSX_UNCOMPRESSED or total / packed > MAX_XLSX_RATIO:
        raise InputError(
            f"{name}: the archive would expand to {total:,} bytes in {len(members)} parts; "
            "refused as a possible ZIP bomb"
        )
    if "xl/workbook.xml" not in archive.namelist():
        raise InputError(f"{name}: a ZIP archive but not an XLSX workbook (no xl/workbook.xml)")
    import openpyxl  # noqa: PLC0415 - only needed for XLSX uploads

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True)
        records = []
        for row in rows:
            if len(records) > MAX_ROWS + 1:
                raise InputError(f"{name}: more than {MAX_ROWS:,} data rows; split the file")
            cells = ["" if v is None else _xlsx_text(v) for v in row]
            while cells and cells[-1] == "":
                cells.pop()  # read-only sheets pad rows to max_col
            records.append(cells)
        book.close()
    except InputError:
        raise
    except Exception as exc:  # openpyxl raises many types for malformed workbooks
        raise InputError(f"{name}: cannot read the workbook ({type(exc).__name__})") from None
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(records)
    return read_csv_bytes(buf.getvalue().encode("utf-8"), name, required, optional)


def _xlsx_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("\r", " ").replace("\n", " ")[:MAX_FIELD_CHARS]
