"""Helpers shared by the benchmark scripts: data location, hardware, table, JSON."""

from __future__ import annotations

import os
import resource
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parents[1] / "shared" / "data"


def data_home(arg: str | None) -> Path:
    """The folder holding mitdb/: --data, $SKTLFT_DATA or ../shared/data."""
    home = Path(arg or os.environ.get("SKTLFT_DATA") or DEFAULT_DATA)
    if not (home / "mitdb").is_dir():
        sys.exit(f"no MIT-BIH database in {home}/mitdb: pass --data DIR")
    return home


def cache_args(doc: str) -> Any:
    """``--data`` and ``--cache`` (the development data's cached runs), parsed: the
    options of the scripts that read the selection's cache."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.split("\n", 1)[0])
    parser.add_argument("--data", default=None, help="the folder holding mitdb/ and svdb/")
    parser.add_argument("--cache", default="/tmp/acc", help="the selection's cached runs")
    return parser.parse_args()


def hardware() -> dict[str, Any]:
    """The machine and library versions: :func:`sktlft.evaluation.hardware_info`."""
    from sktlft.evaluation import hardware_info

    return hardware_info()


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(name: str, rows: list[dict[str, Any]], out: str | None, **extra: Any) -> None:
    """Print ``rows`` as a table and write them, with the hardware, to JSON."""
    keys = list(dict.fromkeys(k for r in rows for k in r))
    widths = {k: max(len(k), *(len(_fmt(r.get(k))) for r in rows)) for k in keys}
    print(" | ".join(k.ljust(widths[k]) for k in keys))
    print("-+-".join("-" * widths[k] for k in keys))
    for r in rows:
        print(" | ".join(_fmt(r.get(k)).ljust(widths[k]) for k in keys))
    path = Path(out or HERE / "results" / f"{name}.json")
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "benchmark": name,
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "hardware": hardware(),
        "rows": rows,
        **extra,
    }
    from sktlft._output import json_text  # strict JSON: null, never a bare NaN

    path.write_text(json_text(payload))
    print(f"\nwritten to {path}")


def _fmt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return f"{v:,.3g}" if abs(v) < 100 else f"{v:,.0f}"
    return str(v)


def rst_grid(cols: tuple[str, ...], lines: list[tuple[str, ...]]) -> str:
    """A reStructuredText simple table of ``cols`` and ``lines`` (cells as strings), as the
    Results page includes the generated tables."""
    widths = [max(len(c), *(len(x[i]) for x in lines)) for i, c in enumerate(cols)]
    rule = "  ".join("=" * w for w in widths)

    def fmt(cells: tuple[str, ...]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()

    return "\n".join([rule, fmt(cols), rule, *(fmt(x) for x in lines), rule, ""])
