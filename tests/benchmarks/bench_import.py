"""How long importing a large customers file takes: `python tests/benchmarks/bench_import.py [ROWS]`.

Writes a realistic CSV (UTF-8 with BOM, Chinese and English names, tags, notes, an
unknown column, a quoted newline now and then) to a temporary folder, then times
`salesdesk import customers` on a new database, and again on the same file (nothing
to change), as a person would run it. Not part of the test suite (SPEC 6).
"""

import csv
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超"
WORDS = ["贸易", "科技", "Trading", "Software", "制造", "Logistics", "食品", "Media"]


def write_file(path: Path, rows: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        out = csv.writer(handle, lineterminator="\r\n")
        out.writerow(
            [
                "Name",
                "Company",
                "Title",
                "Phone",
                "Email",
                "Industry",
                "Tags",
                "Birthday",
                "Source",
                "Notes",
                "Region",
            ]
        )
        for i in range(rows):
            chinese = i % 2 == 0
            name = (
                rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)
                if chinese
                else f"Customer {i} {rng.choice(['Smith', 'Müller', 'García'])}"
            )
            phone = (
                f"+86 13{rng.randint(0, 9)} {i // 10000:04d} {i % 10000:04d}"
                if chinese
                else f"+1 (415) {i // 10000 + 200:03d}-{i % 10000:04d}"
            )
            note = f"met at the fair, row {i}" + ("\nwants a quote" if i % 10 == 0 else "")
            out.writerow(
                [
                    name,
                    f"{rng.choice(WORDS)} {i % 5000}",
                    "Buyer",
                    phone,
                    f"c{i}@example.com",
                    rng.choice(["Retail", "制造", "Tech"]),
                    rng.choice(["VIP、北京", "new", "", "a|b"]),
                    f"19{rng.randint(50, 99)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    "fair",
                    note,
                    rng.choice(["East", "华北"]),
                ]
            )


def timed(*args: str) -> float:
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "salesdesk", *args], capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(result.stdout + result.stderr)
    print(result.stdout.strip().splitlines()[-1])
    return elapsed


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as folder:
        path, db = Path(folder) / "customers.csv", Path(folder) / "bench.db"
        write_file(path, rows)
        print(f"{rows:,} rows, {path.stat().st_size / 1e6:.1f} MB")
        first = timed("--db", str(db), "--user", "bench", "import", "customers", str(path))
        print(f"first import (all new):      {first:6.1f} s")
        again = timed("--db", str(db), "--user", "bench", "import", "customers", str(path))
        print(f"second import (no changes):  {again:6.1f} s")


if __name__ == "__main__":
    main()
