"""``kube backup``, ``kube restore`` and ``kube check``: keeping the registry safe and sound."""

from __future__ import annotations

from typing import Annotated

import typer

from kube_cli import output
from kube_cli.cmd_options import FormatOpt, NoPagerOpt, YesOpt, go_back, state
from kube_cli.errors import ExitCode
from kube_cli.formats import Format
from kube_cli.i18n import _

CHECK_COLUMNS = ("severity", "code", "problem", "target")


def backup(
    ctx: typer.Context,
    dest: Annotated[
        str, typer.Argument(metavar="DEST", help="A new file, or a folder (the file is named kube-DATE-TIME.db).")
    ],
) -> None:
    """Copy the registry to DEST, safely even while others are writing; prints the copy's path.

    Examples:
      kube backup /media/usb/
      kube backup kube-2025-06-30.db
    """
    from kube_cli import maintenance

    with state(ctx).open() as reg:
        made = maintenance.backup(reg, dest)
    output.emit_line(made["path"])
    output.say(_("Backed up {groups} groups and {members} members.").format(**made))


def restore(
    ctx: typer.Context,
    backup_file: Annotated[str, typer.Argument(metavar="BACKUP", help="A file made by `kube backup`.")],
    yes: YesOpt = False,
) -> None:
    """Replace the registry with BACKUP, after checking it; the current one is kept beside it.

    Examples:
      kube restore /media/usb/kube-20250630-170000.db
      kube restore /media/usb/kube-20250630-170000.db --yes
    """
    from kube_cli import maintenance

    if output.asks(yes):
        plan = maintenance.describe_restore(state(ctx).path, backup_file)
        now = " " + _("({groups} groups, {members} members)").format(**plan["current"]) if plan["current"] else ""
        output.confirm(_("Replace the registry {path}{now} with {backup} ({groups} groups, {members} members)? "
                         "The current one is kept beside it.").format(**plan, now=now), yes)  # fmt: skip
    done = maintenance.restore(state(ctx).path, state(ctx).officer_name, backup_file)
    output.say(_("Restored {groups} groups and {members} members into {path}.").format(**done))
    if done["kept"]:
        output.say(_("The registry as it was is kept at {kept}.").format(**done))
        output.say(go_back(ctx, done["kept"]))
    for problem in done["errors"]:
        output.warn(_("the restored registry has a problem: {problem} ({target}); see `kube check`").format(**problem))


def check(ctx: typer.Context, fmt: FormatOpt = Format.table, no_pager: NoPagerOpt = False) -> None:
    """Check the registry: file integrity, links between records, and the KUBE rules.

    Errors exit 1; warnings exit 0: no ketua, fewer than 5 or more than 20 members, an implausible
    amount, the same aid twice on one day, a NIK whose birth date is not on the calendar, and two
    current members with one No. KK.

    Examples:
      kube check
      kube check --format json
    """
    from kube_cli import maintenance

    with state(ctx).open() as reg:
        problems = maintenance.check(reg)
    output.emit_check(problems, CHECK_COLUMNS, fmt, empty=_("No problems found."))
    if any(p["severity"] == "error" for p in problems):
        raise typer.Exit(ExitCode.REFUSED)
