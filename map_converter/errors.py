"""One exception tree for file-level problems; each carries a machine code and a plain message."""

from __future__ import annotations


class MapConverterError(Exception):
    """A file-level problem the user can act on."""

    code = "conversion_error"

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotASpreadsheetError(MapConverterError):
    code = "not_a_spreadsheet"


class UnreadableFileError(MapConverterError):
    code = "unreadable_file"


class EncryptedFileError(MapConverterError):
    code = "encrypted_file"


class EmptyFileError(MapConverterError):
    code = "empty_file"


class NoLinkColumnError(MapConverterError):
    code = "no_link_column"


class TooManyRowsError(MapConverterError):
    code = "too_many_rows"


class TooManyColumnsError(MapConverterError):
    code = "too_many_columns"

    @classmethod
    def for_count(cls, count: int) -> TooManyColumnsError:
        return cls(
            f"The sheet has {count:,} columns; at most {MAX_COLUMNS:,} are read. "
            "Delete the columns you do not need (or choose another sheet) and upload again."
        )


MAX_COLUMNS = 1_000  # the columns of a sheet that are read


class UnknownSheetError(MapConverterError):
    code = "unknown_sheet"


class UnsupportedFormatError(MapConverterError):
    code = "unsupported_format"


class SessionNotFoundError(MapConverterError):
    code = "not_found"


class SessionExpiredError(MapConverterError):
    code = "expired"


class JobNotDoneError(MapConverterError):
    code = "not_ready"


class StorageFullError(MapConverterError):
    code = "insufficient_storage"


DISK_FULL_MESSAGE = "The server is short of disk space. Try again later."

# What we read, as messages, the CLI's help and the page name it.
SPREADSHEET_SUFFIXES = ("xlsx", "xlsm", "xlsb", "xls", "ods", "csv", "tsv")
SPREADSHEET_KINDS = ", ".join(f".{suffix}" for suffix in SPREADSHEET_SUFFIXES[:-1]) + " or .tsv"


def is_disk_full(error: BaseException) -> bool:
    """True for the OSErrors of a full disk or an exhausted quota."""
    import errno

    return isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT)
