"""Benchmark: validate a raw folder whose population table is a ~50 MB file of repeated rows (the
worst case of issue 10: every row a duplicate of others) and print time, peak memory and what was
reported. Prints figures only; nothing here asserts a target.

    .venv/bin/python benchmarks/validate_large.py [--megabytes 50] [--kind duplicates|broken]

``duplicates``: the sample's population rows repeated until the file has the size; ``broken``: the
same, with every count replaced by a text, so every row breaks the schema.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from sozialplanung.data.load import read_districts
from sozialplanung.data.sample import generate_sample
from sozialplanung.data.validate import inspect_raw

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=50)
    parser.add_argument("--kind", choices=("duplicates", "broken"), default="duplicates")
    args = parser.parse_args()
    districts = read_districts(REPO / "data" / "reference" / "marburg_stadtbezirke.csv")
    with tempfile.TemporaryDirectory() as folder:
        raw = Path(folder) / "raw"
        generate_sample(raw, districts, 20241231, 2019, 2024)
        path = raw / "bevoelkerung.csv"
        header, *rows = path.read_text(encoding="utf-8-sig").splitlines()
        if args.kind == "broken":
            rows = [line.rsplit(";", 1)[0] + ";viele" for line in rows]
        body = "\n".join(rows) + "\n"
        copies = max(1, int(args.megabytes * 1e6 / len(body.encode("utf-8"))))
        path.write_text(header + "\n" + body * copies, encoding="utf-8")
        size = path.stat().st_size
        start = time.perf_counter()
        found = inspect_raw(raw, districts, (2019, 2024))
        seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"file: {size / 1e6:.1f} MB ({args.kind}, {copies} copies of {len(rows)} rows)")
    print(f"validation: {seconds:.1f} s, peak memory of the process {peak:.0f} MiB")
    print(f"problems listed: {len(found.problems)}, standing for {sum(p.count for p in found.problems)}")
    for problem in found.problems[:8]:
        print(f"  {problem}")


if __name__ == "__main__":
    main()
