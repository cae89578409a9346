"""An .xls workbook read through calamine in a process of its own.

calamine's .xls reader aborts the whole process on some damaged files (fuzzing found a failed
allocation of 171 GB from one changed byte inside a hyperlink record): not an exception, but a
web worker gone with every request it was serving. .xls files are small (65,536 rows a sheet at
most), so reading one in a child costs a process start (about 0.1 s) and buys that a child's
death is a damaged file. The child caps its own address space, so a runaway allocation fails at
once instead of pressing the machine.

Run by read_in_child as `python -m map_converter.calamine_child PATH SHEET KEEP`; it writes one
pickle to stdout: ("rows", sheet names, {sheet: NonBlankRows}) or ("error", message).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

CHILD_ADDRESS_SPACE_BYTES = 6 << 30  # a full 65,536 × 256 sheet needs about 2 GB
CHILD_TIMEOUT_SECONDS = 300.0


def read_in_child(path: Path, sheet: str | None, keep: int | None):
    """(sheet names, {sheet: NonBlankRows}) of the chosen sheet or of every sheet; raises the
    file-level error calamine's message means, or UnreadableFileError when the child died."""
    import pickle  # here, not at import time: only an .xls needs a child (0.005 s of imports)
    import subprocess

    from .errors import UnreadableFileError
    from .workbook_sheets import calamine_error

    command = [
        sys.executable, "-m", "map_converter.calamine_child",
        str(path), sheet or "", "" if keep is None else str(keep),
    ]  # fmt: skip
    # The child finds this very package, wherever the parent runs from.
    package_parent = str(Path(__file__).resolve().parent.parent)
    search_path = os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")]))
    environment = {**os.environ, "PYTHONPATH": search_path, "RUST_BACKTRACE": "0"}
    try:
        done = subprocess.run(
            command, capture_output=True, timeout=CHILD_TIMEOUT_SECONDS, env=environment
        )
    except subprocess.TimeoutExpired as error:
        raise UnreadableFileError(
            "The workbook took too long to read (it may be damaged). Open it in a spreadsheet "
            "program, save it as .xlsx and upload that."
        ) from error
    if done.returncode != 0 or not done.stdout:
        raise UnreadableFileError(
            "The workbook could not be read (it is damaged). Open it in a spreadsheet program, "
            "save it again (as .xlsx if you can) and upload the new copy."
        )
    answer = pickle.loads(done.stdout)  # written by main() below, our own code
    if answer[0] == "error":
        raise calamine_error(Exception(answer[1]))
    return answer[1], answer[2]


def main(arguments: list[str]) -> None:
    import pickle
    import resource

    from .workbook_sheets import open_workbook, sheet_rows

    resource.setrlimit(resource.RLIMIT_AS, (CHILD_ADDRESS_SPACE_BYTES, CHILD_ADDRESS_SPACE_BYTES))
    path, sheet, keep_text = arguments
    keep = int(keep_text) if keep_text else None
    try:
        workbook = open_workbook(Path(path), "xls")  # by its content, whatever its name
        names = list(workbook.sheet_names)
        chosen = [sheet] if sheet and sheet in names else names
        answer = ("rows", names, {name: sheet_rows(workbook, name, keep) for name in chosen})
    except BaseException as error:  # calamine's errors and its panics (a BaseException)
        if isinstance(error, KeyboardInterrupt | SystemExit):
            raise
        answer = ("error", str(error))
    sys.stdout.buffer.write(pickle.dumps(answer, protocol=pickle.HIGHEST_PROTOCOL))


if __name__ == "__main__":
    main(sys.argv[1:])
