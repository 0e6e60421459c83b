"""``kube merge`` and ``kube publish``: one registry from many laptops, and a safe public copy."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kube_cli import output
from kube_cli.cmd_options import FormatOpt, state
from kube_cli.i18n import _
from kube_cli.output import Format


class Side(StrEnum):
    ours = "ours"
    theirs = "theirs"


def merge(
    ctx: typer.Context,
    other: Annotated[
        Path, typer.Argument(metavar="OTHER.db", help="Another officer's registry file.", show_default=False)
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what it would add, update and refuse; write nothing.")
    ] = False,
    prefer: Annotated[Side | None, typer.Option("--prefer", help="Which side wins a conflict.")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Bring another registry's groups, members, aid, revenue and log into this one.

    Examples:
      kube merge laptop-andi.db --dry-run
      kube merge laptop-andi.db
      kube merge laptop-andi.db --prefer theirs
    """
    from kube_cli import merge as merging

    try:
        with state(ctx).open(write=not dry_run) as reg:  # a dry run creates nothing, not even the registry
            summary = merging.merge(reg, other, dry_run=dry_run, prefer=prefer.value if prefer else None)
    except merging.MergeRefused as refused:  # a dry run still lists what it would add and update
        output.emit_merge_changes([c for c in refused.changes if c["action"] != "refuse"], fmt)
        raise
    output.emit_merge_summary(summary, fmt)


def publish(
    ctx: typer.Context,
    folder: Annotated[
        Path, typer.Argument(metavar="DIR", help="Folder to write kube-public.db and metadata.json into.")
    ],
) -> None:
    """Write a copy with no personal data, and Datasette metadata, for the public.

    Examples:
      kube publish site/
      datasette site/kube-public.db -m site/metadata.json
    """
    from kube_cli import publish as publishing

    with state(ctx).open() as reg:
        written = publishing.publish(reg, folder)
    output.say(_("Wrote {db} and {metadata}.").format(db=written[0], metadata=written[1]))
