"""``kube merge`` and ``kube publish``: one registry from many laptops, and a safe public copy."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from kube_cli import output
from kube_cli.cmd_options import FormatOpt, YesOpt, go_back, state
from kube_cli.formats import Format
from kube_cli.i18n import _


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
    yes: YesOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Bring another registry's groups, members, aid, revenue and log into this one.

    Examples:
      kube merge laptop-andi.db --dry-run
      kube merge laptop-andi.db
      kube merge laptop-andi.db --prefer theirs --yes
    """
    from kube_cli import maintenance
    from kube_cli import merge as merging

    side = prefer.value if prefer else None
    try:
        with state(ctx).open(write=not dry_run) as reg:  # a dry run creates nothing, not even the registry
            if not dry_run and output.asks(yes):
                plan = merging.merge(reg, other, dry_run=True, prefer=side)
                output.confirm(_("Merge {file} into {path}: {added} records added, {updated} updated, {conflicts} "
                                 "conflicts resolved?").format(**plan, path=reg.path), yes)  # fmt: skip
            summary = merging.merge(reg, other, dry_run=dry_run, prefer=side,
                                    keep=lambda r: maintenance.keep_copy(r, "merge"))  # fmt: skip
    except merging.MergeRefused as refused:  # a dry run still lists what it would add and update
        output.emit_merge_changes([c for c in refused.changes if c["action"] != "refuse"], fmt)
        raise
    kept = summary.pop("kept", None)  # not part of merge's JSON, which scripts read
    output.emit_merge_summary(summary, fmt)
    if kept:
        output.say(_("The registry as it was is kept at {kept}.").format(kept=kept))
        output.say(go_back(ctx, str(kept)))


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
