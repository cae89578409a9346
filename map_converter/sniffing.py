"""What an upload is: the format from its content (never from its name alone), checked for zip
bombs before any XML is parsed, saved under a name we choose."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .errors import (
    SPREADSHEET_KINDS,
    EmptyFileError,
    EncryptedFileError,
    NotASpreadsheetError,
    UnreadableFileError,
)
from .other_files import other_text_file, other_zip_file
from .xlsx_links import DAMAGED_ZIP_ERRORS

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"


# A real workbook of a million rows unzips to a few hundred MB; far more is a zip bomb.
@dataclass(frozen=True)
class UnpackLimits:
    """How far a workbook may unpack (None: no limit; the ratio check always applies)."""

    part_bytes: int | None
    total_bytes: int | None


# Uploads: calamine holds a sheet's XML in memory while it reads it, so 200 MB per part keeps a
# worker under ~300 MB for any upload it accepts. A local file given to the CLI is the user's
# own: only the compression ratio is checked (a million-row sheet unpacks to ~250 MB).
UPLOAD_LIMITS = UnpackLimits(part_bytes=200 << 20, total_bytes=1 << 30)
LOCAL_FILE_LIMITS = UnpackLimits(part_bytes=None, total_bytes=None)
MAX_COMPRESSION_RATIO = 250


WORKBOOK_SUFFIXES = ("xlsx", "xlsm", "xlsb", "xls", "ods")


def sniff_format(
    path: Path, claimed_name: str | None = None, limits: UnpackLimits = LOCAL_FILE_LIMITS
) -> str:
    """xlsx / xlsm / xlsb / xls / ods / csv / tsv from the content; the name (the client's, for an
    upload) only tells TSV from CSV and a workbook from text that merely has a workbook's name."""
    with open(path, "rb") as handle:
        head = handle.read(8192)
    if not head:
        raise EmptyFileError("The file is empty. Upload a spreadsheet with a header row and links.")
    suffix = Path(claimed_name or path.name).suffix.lower().lstrip(".")
    if head.startswith(OLE_MAGIC):
        if _is_encrypted_ooxml(path):
            raise EncryptedFileError(
                "The workbook is password-protected. Save a copy without a password and upload that."
            )
        return "xls"
    if head.startswith(ZIP_MAGIC):
        return _zip_format(path, suffix, limits)
    other = other_text_file(head)
    if other is not None:
        raise NotASpreadsheetError(other.message)
    if _looks_like_text(head):
        if suffix in WORKBOOK_SUFFIXES:
            raise NotASpreadsheetError(
                f"This file is named .{suffix} but holds plain text, not a workbook. Open it in "
                "a spreadsheet program and save it as .xlsx, or name it .csv if it is a CSV file."
            )
        return "tsv" if suffix == "tsv" else "csv"
    raise NotASpreadsheetError(f"This is not a spreadsheet. Upload {SPREADSHEET_KINDS}.")


def _is_encrypted_ooxml(path: Path) -> bool:
    """Encrypted .xlsx files are OLE containers holding an EncryptionInfo stream."""
    with open(path, "rb") as handle:
        content = handle.read(2_000_000)
    return "EncryptionInfo".encode("utf-16-le") in content


def _zip_format(path: Path, suffix: str, limits: UnpackLimits) -> str:
    """Tell OOXML from ODS and reject zip bombs before any XML is parsed."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            check_zip_sizes(infos, limits)
            names = {info.filename for info in infos}
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100]
                if b"opendocument.spreadsheet" in mimetype:
                    return "ods"
                raise NotASpreadsheetError(
                    "This is an OpenDocument file but not a spreadsheet. Upload an .ods spreadsheet."
                )
            if "[Content_Types].xml" in names and "xl/workbook.xml" in names:
                return "xlsm" if "xl/vbaProject.bin" in names or suffix == "xlsm" else "xlsx"
            if "xl/workbook.bin" in names:  # Excel's binary workbook: calamine reads it
                return "xlsb"
            other = other_zip_file(names)
    except (*DAMAGED_ZIP_ERRORS, OSError, ValueError, RuntimeError) as error:
        raise UnreadableFileError(
            "The file looks like a workbook but is damaged (truncated or corrupted). "
            "Open it in Excel, save it again and upload the new copy."
        ) from error
    if other is not None:
        raise NotASpreadsheetError(other.message)
    raise NotASpreadsheetError(f"This zip file is not a spreadsheet. Upload {SPREADSHEET_KINDS}.")


def check_zip_sizes(infos: list[zipfile.ZipInfo], limits: UnpackLimits = UPLOAD_LIMITS) -> None:
    """Refuse archives whose declared uncompressed size or ratio is a zip bomb's."""
    total = sum(info.file_size for info in infos)
    compressed = sum(info.compress_size for info in infos) or 1
    if limits.part_bytes is not None and any(info.file_size > limits.part_bytes for info in infos):
        raise UnreadableFileError(
            "A sheet of the workbook unpacks to more than 200 MB (a zip bomb, or padding?). "
            "It was not opened; save the sheet again in a spreadsheet program."
        )
    if (limits.total_bytes is not None and total > limits.total_bytes) or (
        total > 50_000_000 and total / compressed > MAX_COMPRESSION_RATIO
    ):
        raise UnreadableFileError(
            "The workbook unpacks to an implausible size (a zip bomb?). It was not opened."
        )


def _looks_like_text(head: bytes) -> bool:
    """Text in UTF-8/UTF-16/cp1252: no NUL bytes unless it is UTF-16 with a BOM."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        return True
    if b"\x00" in head:
        return False
    control = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    return control <= len(head) // 100


def store_upload(
    save: Callable[[Path], None], folder: Path, filename: str = ""
) -> tuple[Path, str]:
    """Save an upload in folder under a name we choose, named after its sniffed format
    (with the upload limits on how far it may unpack)."""
    received = folder / "upload.bin"
    save(received)
    file_format = sniff_format(received, filename, UPLOAD_LIMITS)
    source = folder / f"source.{file_format}"
    received.rename(source)
    return source, file_format
