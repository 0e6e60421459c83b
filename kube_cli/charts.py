"""Bar charts of KUBE counts: the bars from the registry, and a PNG or SVG drawn with matplotlib.

matplotlib is an optional extra (``pip install 'kube-cli[chart]'``): it is imported only when a
file is written, with the Agg backend, so the terminal chart and every other command work
without it. Charts show counts of groups by place or business type, never a member.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from kube_cli import reports
from kube_cli.db import Registry
from kube_cli.errors import KubeError
from kube_cli.i18n import _
from kube_cli.records import GROUPS

FILE_FORMATS = {".png": "png", ".svg": "svg"}
INSTALL_HINT = "pip install 'kube-cli[chart]'"


def output_format(path: str) -> str:
    """``png`` or ``svg`` from the file name; anything else is refused before any work is done."""
    suffix = Path(path).suffix.lower()
    if suffix not in FILE_FORMATS:
        raise KubeError("output", path, _("must end in .png or .svg"))
    if not Path(path).parent.is_dir():
        raise KubeError("output", path, _("its folder does not exist"))
    return FILE_FORMATS[suffix]


def bars(registry: Registry, by: str, year: str | None = None, kecamatan: str | None = None) -> dict[str, Any]:
    """``{"by", "title", "bars": [(label, groups), ...]}``, most groups first."""
    filters = reports.make_filters(registry, year, kecamatan)
    rows = [r for r in reports.breakdown(registry, [by], filters) if r["groups"]]
    names = Counter(r[by] for r in rows)  # counted once: a national chart has 75,000 kelurahan
    labels = []
    for row in rows:
        label = row[by]
        if by == "kelurahan" and names[label] > 1:  # the same name in two kecamatan
            label = f"{label} ({row['kecamatan']})"
        labels.append(label)
    pairs = sorted(zip(labels, (r["groups"] for r in rows), strict=True), key=lambda p: (-p[1], p[0].casefold()))
    heading = {
        "kecamatan": _("KUBE per kecamatan"),
        "kelurahan": _("KUBE per kelurahan"),
        "usaha": _("KUBE per business type"),
    }.get(by) or _("KUBE per {dimension}").format(dimension=axis_label(by).lower())
    scope = [registry.region]
    if filters.kecamatan:
        scope.append(_("Kecamatan {name}").format(name=filters.kecamatan))
    if filters.year:
        scope.append(_("registered by {year}").format(year=filters.year))
    return {"by": by, "title": f"{heading} — {', '.join(scope)}", "bars": pairs}


def axis_label(by: str) -> str:
    return {"kecamatan": _("Kecamatan"), "kelurahan": _("Kelurahan"), "usaha": _("Business type")}.get(by) or _(
        GROUPS.field(by).label
    )


def write_chart(chart: dict[str, Any], path: str) -> Path:
    """Draw ``chart`` as horizontal bars into ``path`` (.png or .svg), written whole or not at all."""
    fmt = output_format(path)
    try:
        import matplotlib

        matplotlib.use("Agg")
        from matplotlib import pyplot as plt
    except ImportError:
        raise KubeError(
            "output", path, _("drawing a chart file needs matplotlib, which is not installed"),
            _("install it with: {command} (or leave out -o for a chart in the terminal)").format(command=INSTALL_HINT),
        ) from None  # fmt: skip
    if not chart["bars"]:
        raise KubeError("report", chart["title"], _("has no groups to chart"))
    labels = [label for label, _count in chart["bars"]][::-1]  # largest bar on top
    counts = [count for _label, count in chart["bars"]][::-1]
    height = max(6.75, 0.42 * len(labels) + 1.8)  # 16:9 on a slide; taller when there are many bars
    style = {
        "font.size": 15, "axes.titlesize": 19, "axes.labelsize": 16, "svg.fonttype": "none",
        "axes.spines.top": False, "axes.spines.right": False,
    }  # fmt: skip
    with plt.rc_context(style):
        fig, ax = plt.subplots(figsize=(12, height), layout="constrained")
        try:
            drawn = ax.barh(labels, counts, color="#1f6f8b", height=0.7)
            ax.bar_label(drawn, padding=4, fontsize=14)
            ax.set_title(chart["title"], loc="left", pad=14, fontweight="bold")
            ax.set_xlabel(_("Number of KUBE (active groups)"))
            ax.set_ylabel(axis_label(chart["by"]), labelpad=12)
            ax.set_xlim(0, max(counts) * 1.12)
            ax.xaxis.get_major_locator().set_params(integer=True)
            ax.margins(y=0.01)
            ax.grid(axis="x", color="#dddddd", linewidth=0.8)
            ax.set_axisbelow(True)
            return _save(fig, Path(path), fmt)
        finally:
            plt.close(fig)


def _save(fig: Any, path: Path, fmt: str) -> Path:
    """Write beside the target, then rename: a failed write leaves no half file behind."""
    handle, tmp = tempfile.mkstemp(prefix=".kube-chart-", suffix=path.suffix, dir=path.parent)
    os.close(handle)
    try:
        metadata = {"Date": None} if fmt == "svg" else {}
        fig.savefig(tmp, format=fmt, dpi=150, metadata=metadata)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # a picture for a slide: no personal data, the usual mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
