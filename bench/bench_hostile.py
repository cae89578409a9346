"""Peak memory and time of hostile uploads, each in a fresh process (issue 9's figures).

Run (from the project root): python -m bench.bench_hostile

Each case uploads one file through the app (Flask's test client, no network) and reports the
answer, the seconds and the process's peak RSS next to the same process's RSS before the
upload (the floor: Python, Flask and the app loaded); a case marked "converted" then runs the
job to its end and reports its seconds and the peak after it.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile

from bench.common import OUT_DIR

CASE_SCRIPT = r"""
import io, json, resource, sys, tempfile, time
from flask_app import create_app
app = create_app({"DATA_DIR": tempfile.mkdtemp(), "SWEEP_INTERVAL_SECONDS": 0, "UPLOADS_PER_MINUTE": 0})
client = app.test_client()
content = open(sys.argv[1], "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
started = time.perf_counter()
response = client.post("/upload", data={"file": (io.BytesIO(content), sys.argv[2])})
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
body = response.get_json()
answer = body.get("error", {}).get("code") or f"rows={body.get('row_count')}"
result = {"status": response.status_code, "answer": answer, "seconds": seconds,
          "floor_mb": before, "peak_mb": peak}
if response.status_code == 201 and len(sys.argv) > 3:  # then convert it: the job, to the end
    started = time.perf_counter()
    client.post(f"/process/{body['id']}")
    while time.perf_counter() - started < 300:
        state = client.get(f"/status/{body['id']}").get_json().get("state")
        if state not in ("queued", "running"):
            break
        time.sleep(0.05)
    result.update({"job": state, "job_seconds": time.perf_counter() - started,
                   "job_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
print(json.dumps(result))
"""


def main() -> None:
    from tests.hostile_files import write_whitespace_sheet

    OUT_DIR.mkdir(parents=True, exist_ok=True)
    cases = []
    accepted = OUT_DIR / "whitespace-195mb.xlsx"
    write_whitespace_sheet(accepted, 195, 16)
    cases.append(("sheet inflating to 195 MB of whitespace (just accepted)", accepted, "w.xlsx"))
    in_row = OUT_DIR / "whitespace-in-row-150mb.xlsx"
    write_whitespace_sheet(in_row, 150, 16, inside_row=True)
    cases.append(("150 MB of whitespace inside one row, uploaded and converted", in_row, "r.xlsx"))
    refused = OUT_DIR / "whitespace-1400mb.xlsx"
    write_whitespace_sheet(refused, 1400, 16)
    cases.append(("sheet inflating to 1.4 GB of whitespace", refused, "w.xlsx"))
    empty_lines = OUT_DIR / "empty-lines.csv"
    empty_lines.write_bytes(b"Link\n" + b"\n" * 19_000_000 + b"40.7,-74.0\n")
    cases.append(("19 MB CSV of empty lines", empty_lines, "e.csv"))
    wide = OUT_DIR / "wide.csv"
    header = ",".join(f"c{n}" for n in range(500_000))
    wide.write_text("Link," + header + "\n40.7 -74.0" + ",x" * 500_000 + "\n")
    cases.append(("CSV with 500,000 columns", wide, "wide.csv"))
    for label, path, name in cases:
        converts = "converted" in label
        result = subprocess.run(
            [sys.executable, "-c", CASE_SCRIPT, str(path), name, *(["convert"] * converts)],
            capture_output=True, text=True, cwd=str(OUT_DIR.parent.parent), timeout=600,
        )  # fmt: skip
        line = (
            result.stdout.strip().splitlines()[-1]
            if result.stdout.strip()
            else result.stderr[-500:]
        )
        print(f"{label} ({path.stat().st_size / 1e6:.1f} MB upload): {line}")


if __name__ == "__main__":
    tempfile.tempdir = str(OUT_DIR)
    main()
