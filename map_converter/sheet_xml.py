"""Whether a sheet's XML is sound: well-formed, and with no DTD (so no entity can expand).

The sheet patcher copies the user's XML into our output, so it checks it as it goes; or the
check runs beforehand, next to calamine's read of the same sheet (which leaves Python's lock
free), and the patcher is told the sheet passed.
"""

from __future__ import annotations

import xml.parsers.expat
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .errors import UnreadableFileError
from .xlsx_links import sheet_part_path

CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class SoundSheet:
    """A sheet whose XML passed SheetXmlCheck. plain: it holds no comment, CDATA section or
    processing instruction anywhere, so no markup can hide in text."""

    plain: bool


class SheetXmlCheck:
    """Fed the sheet's XML in chunks; raises UnreadableFileError at the first fault."""

    def __init__(self):
        self.plain = True
        self.parser = xml.parsers.expat.ParserCreate()
        self.parser.StartDoctypeDeclHandler = self._refuse
        self.parser.EntityDeclHandler = self._refuse
        # Called only when there is one: nothing is spent on a sheet without any.
        self.parser.CommentHandler = self._not_plain
        self.parser.StartCdataSectionHandler = self._not_plain
        self.parser.ProcessingInstructionHandler = self._not_plain

    def _not_plain(self, *_args) -> None:
        self.plain = False

    @staticmethod
    def _refuse(*_args) -> None:
        raise UnreadableFileError("The sheet declares a DTD or entities; save it again from Excel.")

    def feed(self, data: bytes, is_final: bool = False) -> None:
        try:
            self.parser.Parse(data, is_final)
        except xml.parsers.expat.ExpatError as error:
            raise UnreadableFileError(f"The sheet's XML is damaged ({error}).") from error


class NoCheck:
    """For a sheet already checked."""

    def feed(self, data: bytes, is_final: bool = False) -> None:
        pass


class SheetSoundness:
    """SheetXmlCheck for a sheet that another reader goes through: fed each chunk it reads,
    never raising; sound() is what the sheet is when it passed, None for any fault."""

    def __init__(self):
        self._check: SheetXmlCheck | None = SheetXmlCheck()

    def feed(self, data: bytes, is_final: bool = False) -> None:
        if self._check is None:
            return
        try:
            self._check.feed(data, is_final)
        except Exception:  # any fault: the patcher checks the sheet itself, and says what it is
            self._check = None

    def sound(self) -> SoundSheet | None:
        self.feed(b"", True)
        return None if self._check is None else SoundSheet(self._check.plain)


def check_sheet(path: Path, sheet_name: str) -> SoundSheet | None:
    """What the sheet's XML is when it passes SheetXmlCheck; None for any fault or unreadable
    part (the patcher then checks it itself, and says what is wrong)."""
    soundness = SheetSoundness()
    try:
        with (
            zipfile.ZipFile(path) as archive,
            archive.open(sheet_part_path(archive, sheet_name)) as part,
        ):
            while chunk := part.read(CHUNK_BYTES):
                soundness.feed(chunk)
    except Exception:  # an unreadable part: the patcher says what is wrong with it
        return None
    return soundness.sound()
