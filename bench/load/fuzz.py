"""The long fuzz runs: tests/fuzz with the ``long`` Hypothesis profile, random seeds, and a record.

CI runs the fuzz tests with the bounded ``ci`` profile (300 examples per test, derandomized). This
runs them for as long as a person wants, with fresh random examples each time, and writes what
happened (examples per test, duration, failures with their reproduction blobs) to
bench/results/fuzz-<time>.json (git-ignored):

    .venv/bin/python bench/load/fuzz.py                       # 30,000 examples per test (~90 min on 2 cores)
    .venv/bin/python bench/load/fuzz.py --examples 3000 -k sparql

A failure is a bug to fix: its blob replays it (``@reproduce_failure``), and the case belongs in the
hostile-input tests of tests/security/ once fixed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=30000, help="examples per test (default 30,000)")
    parser.add_argument("-k", dest="keyword", help="only the tests matching this pytest -k expression")
    args = parser.parse_args()
    command = [sys.executable, "-m", "pytest", "tests/fuzz", "-p", "no:cacheprovider", "-q", "-rfE",
               "--hypothesis-profile=long", "--hypothesis-seed", str(int.from_bytes(os.urandom(4), "big")),
               "--durations=0"]
    if args.keyword:
        command += ["-k", args.keyword]
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env={**os.environ, "FUZZ_EXAMPLES": str(args.examples)},
                          capture_output=True, text=True)
    output = done.stdout + done.stderr
    summary = next((line for line in reversed(output.splitlines()) if " passed" in line or " failed" in line), "")
    record = {
        "examples_per_test": args.examples,
        "seconds": round(time.perf_counter() - started, 1),
        "exit_code": done.returncode,
        "summary": summary.strip("= "),
        "failed": re.findall(r"^FAILED (\S+)", output, re.MULTILINE),
        "reproduce": re.findall(r"@reproduce_failure\([^)]*\)", output),
        "command": " ".join(command),
    }
    out = ROOT / "bench" / "results" / f"fuzz-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(record, indent=2))
    if done.returncode != 0:
        print(output[-8000:], file=sys.stderr)
    raise SystemExit(done.returncode)


if __name__ == "__main__":
    main()
