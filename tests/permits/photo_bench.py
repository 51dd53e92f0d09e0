"""The certificate photo check measured on the test photos (issue 31, point 4): how many photos
of each kind it gets right, and its time per photo. Run from the project's root:

    python tests/permits/photo_bench.py

A correct photo is right when it passes; an incorrect one when it is refused, and "for the
named reason" when the problem the kind stands for is among those the check names.
"""

from __future__ import annotations

import os
import sys
import time
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def measure():
    """``{kind: {"n", "right", "named", "seconds", "cpu", "misses": [problems]}}`` (``cpu``:
    processor seconds, less moved by other work on a shared machine than ``seconds``)."""
    from permits.photo_check import check_photo
    from tests.permits.photo_samples import samples

    table = defaultdict(
        lambda: {"n": 0, "right": 0, "named": 0, "seconds": 0.0, "cpu": 0.0, "misses": []}
    )
    for kind, expected, data in samples():
        started, cpu = time.perf_counter(), time.process_time()
        verdict = check_photo(data)
        row = table[kind]
        row["seconds"] += time.perf_counter() - started
        row["cpu"] += time.process_time() - cpu
        row["n"] += 1
        correct_kind = kind.startswith("good")
        right = verdict.ok if correct_kind else not verdict.ok
        row["right"] += right
        named = expected is None or any(p.startswith(expected) for p in verdict.problems)
        row["named"] += right and named
        if not right or not named:
            row["misses"].append(",".join(verdict.problems) or "passed")
    return dict(table)


def main():
    import django

    django.setup()
    from tests.permits.photo_samples import KINDS

    table = measure()
    print(f"{'kind':<18}{'photos':>7}{'right':>7}{'named':>7}{'ms/photo':>10}{'cpu ms':>8}  misses")
    total = {"n": 0, "right": 0, "seconds": 0.0, "cpu": 0.0}
    for kind in KINDS:
        row = table[kind]
        for key in total:
            total[key] += row[key]
        ms, cpu = (1000 * row[key] / row["n"] for key in ("seconds", "cpu"))
        misses = "; ".join(sorted(set(row["misses"])))[:60]
        print(
            f"{kind:<18}{row['n']:>7}{row['right']:>7}{row['named']:>7}{ms:>10.1f}{cpu:>8.1f}"
            f"  {misses}"
        )
    ms, cpu = (1000 * total[key] / total["n"] for key in ("seconds", "cpu"))
    print(f"{'all':<18}{total['n']:>7}{total['right']:>7}{'':>7}{ms:>10.1f}{cpu:>8.1f}")


if __name__ == "__main__":
    main()
