"""Where one ``kube import`` spends its time: staging the rows, checking, counting, writing.

    python bench/import_phases.py REGISTRY.db ROSTER.csv     # REGISTRY.db: a copy of an empty registry

Each phase is timed in this process around the functions that do it (no profiler, so the times
are real); the staging loop is what is left of the whole. Used for the write step's numbers in
bench/README.md (the roster from make_roster.py, 200,000 groups).
"""

from __future__ import annotations

import functools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kube_cli import batch, batch_apply
from kube_cli.db import open_registry

PHASES = ((batch.Stager, "flush"), (batch_apply.Checker, "check"), (batch_apply.Checker, "counts"),
          (batch_apply.Checker, "apply"))  # fmt: skip


def main() -> None:
    db, roster = Path(sys.argv[1]), Path(sys.argv[2])
    spent: dict[str, float] = {}
    for cls, name in PHASES:
        original = getattr(cls, name)

        @functools.wraps(original)
        def timed(*args, _original=original, _name=name, **kwargs):
            start = time.perf_counter()
            try:
                return _original(*args, **kwargs)
            finally:
                spent[_name] = spent.get(_name, 0.0) + time.perf_counter() - start

        setattr(cls, name, timed)
    start = time.perf_counter()
    with open_registry(db, "bench") as registry:
        batch.import_file(registry, roster, str(roster))
    total = time.perf_counter() - start
    phases = "  ".join(f"{name} {seconds:.1f} s" for name, seconds in spent.items())
    print(f"total {total:.1f} s  staging {total - sum(spent.values()):.1f} s  {phases}")


if __name__ == "__main__":
    main()
