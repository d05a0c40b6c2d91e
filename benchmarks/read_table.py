"""How long ``autometa``'s CSV reader takes against plain ``pandas.read_csv``, in one run.

``read_table`` chooses the delimiter on the first rows (four probes), skips comments,
detects encodings, converts decimal commas, formatted numbers and dates; the peer is
``pd.read_csv`` told the right delimiter, decimal mark and thousands separator (what a
user who knows the file would write).  The tables are generated (seeded): a tall mixed
table, the same written the European way (``;`` and decimal commas), one with ISO dates,
one with amounts written with thousands separators (``1,234.50``), and a wide one.
Wall-clock seconds, the median of ``--repeats`` reads; both readers must return the same
shape and column types.

Usage::

    python benchmarks/read_table.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from autometa._io import read_table


def tables(seed: int = 0) -> dict[str, tuple[pd.DataFrame, dict]]:
    """Name -> (table, ``to_csv`` and ``read_csv`` keywords of its dialect)."""
    rng = np.random.default_rng(seed)
    tall = pd.DataFrame(rng.normal(size=(100_000, 25))).add_prefix("x")
    for i in range(5):
        tall[f"c{i}"] = rng.choice([f"level{j}" for j in range(4 + 3 * i)], len(tall))
    tall["y"] = rng.integers(0, 2, len(tall))
    dated = tall.iloc[:, :10].assign(
        day=pd.Timestamp("2020-01-01") + pd.to_timedelta(rng.integers(0, 2000, len(tall)),
                                                         unit="D"))
    amounts = tall.iloc[:, :10].assign(
        amount=[f"{v:,.2f}" for v in rng.lognormal(8, 2, len(tall))])
    wide = pd.DataFrame(rng.normal(size=(500, 5_000)).round(5)).add_prefix("g")
    return {
        "100,000 x 31, commas": (tall, {}),
        "100,000 x 31, ';' and decimal commas": (tall, {"sep": ";", "decimal": ","}),
        "100,000 x 11, ISO dates": (dated, {"parse_dates": ["day"]}),
        "100,000 x 11, thousands separators": (amounts, {"thousands": ","}),
        "500 x 5,000, commas": (wide, {}),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for name, (frame, dialect) in tables().items():
            path = Path(folder) / "table.csv"
            write = {k: v for k, v in dialect.items() if k in ("sep", "decimal")}
            frame.to_csv(path, index=False, **write)
            timings: dict[str, list[float]] = {"read_table": [], "pandas": []}
            shapes = set()
            for _ in range(args.repeats):
                for reader in timings:
                    start = time.perf_counter()
                    read = (read_table(path) if reader == "read_table"
                            else pd.read_csv(path, **dialect))
                    timings[reader].append(time.perf_counter() - start)
                    shapes.add((read.shape, tuple(read.dtypes.map(str))))
            assert len(shapes) == 1, f"{name}: the readers disagree on the shape or types {shapes}"
            ours, peer = (statistics.median(timings[k]) for k in ("read_table", "pandas"))
            rows.append({"table": name, "read_table_s": round(ours, 3),
                         "pandas_s": round(peer, 3), "ratio": round(ours / peer, 2)})
    print(pd.DataFrame(rows).set_index("table").to_string())


if __name__ == "__main__":
    main()
