"""``import_peak_rss_mb``: the peak memory of ``nurture events import`` on a large JSONL file.

The import runs as its own process (the real command, on a scratch database). Its peak
resident set is the child's own ``VmHWM``, written by the child as it exits: ``wait4``'s
ru_maxrss would not do, because Linux folds into it the high-water mark of the address space
the child replaced at exec, a copy of this (large) benchmark process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from nurture.bench.data import write_jsonl
from nurture.bench.scratch import scratch_database, write_workspace
from nurture.bench.timing import rate, timed

_COMMAND = """
import atexit, os, re
def _peak():
    status = open("/proc/self/status").read()
    with open(os.environ["NURTURE_BENCH_PEAK_FILE"], "w") as out:
        out.write(re.search(r"VmHWM:\\s+(\\d+)", status).group(1))
atexit.register(_peak)
from nurture.cli import main
main()
"""


def run(server_url: str | None, folder: Path, count: int) -> dict[str, Any]:
    source = folder / "events.jsonl"
    write_jsonl(source, count)
    workspace = write_workspace(folder)
    peak_file = folder / "import.peak"
    try:
        with scratch_database(server_url, folder, alembic=True) as url:
            env = {
                **os.environ,
                "NURTURE_DATABASE_URL": url,
                "NURTURE_WORKSPACE": str(workspace),
                "NURTURE_OUTBOX_DIR": str(folder / "outbox"),
                "NURTURE_BENCH_PEAK_FILE": str(peak_file),
            }
            out, err = folder / "import.out", folder / "import.err"
            with timed() as watch, out.open("wb") as stdout, err.open("wb") as stderr:
                child = subprocess.Popen(
                    [sys.executable, "-c", _COMMAND, "events", "import", str(source)],
                    env=env,
                    stdout=stdout,
                    stderr=stderr,
                )
                _, status, usage = os.wait4(child.pid, 0)
            peak_kb = int(peak_file.read_text()) if peak_file.is_file() else usage.ru_maxrss
            output = out.read_text(errors="replace")
            errors = err.read_text(errors="replace")
    finally:
        source.unlink(missing_ok=True)
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"import bench: the import failed: {errors.strip()[-2000:]}")
    return {
        "import_peak_rss_mb": peak_kb / 1024,  # kilobytes on Linux
        "import_per_s": rate(count, watch.seconds),
        "import_events": count,
        "import_output": output.strip(),
    }
