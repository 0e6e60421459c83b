"""``kube wilayah`` and ``kube usaha …``: the places and business types kube knows."""

from __future__ import annotations

from typing import Annotated

import typer

from kube_cli import output
from kube_cli.cmd_options import FormatOpt, KecamatanOpt, NoPagerOpt, state
from kube_cli.formats import Format
from kube_cli.i18n import _

WILAYAH_COLUMNS = ("kode", "kelurahan", "kecamatan", "kabupaten_kota", "groups")
usaha_app = typer.Typer(help="The business types (jenis usaha) and their aliases.", no_args_is_help=True)


def wilayah(
    ctx: typer.Context,
    kecamatan: KecamatanOpt = None,
    search: Annotated[str | None, typer.Option("--search", help="Part of a kelurahan's name.")] = None,
    fmt: FormatOpt = Format.table,
    no_pager: NoPagerOpt = False,
) -> None:
    """List the kelurahan/desa of the registry's region, with their Kemendagri codes.

    Examples:
      kube wilayah --kecamatan mantikulore
      kube wilayah --search lolu
    """
    from kube_cli import places

    with state(ctx).open() as reg:  # rows stream from the registry: all of Indonesia starts at once
        output.emit_rows(places.wilayah_rows(reg, kecamatan, search), WILAYAH_COLUMNS, fmt,
                         empty=_("No kelurahan match."))  # fmt: skip


@usaha_app.command("list")
def usaha_list(ctx: typer.Context, fmt: FormatOpt = Format.table, no_pager: NoPagerOpt = False) -> None:
    """List business types, their aliases and how many groups run each.

    Examples:
      kube usaha list
    """
    from kube_cli import places

    with state(ctx).open() as reg:
        rows = places.usaha_list(reg)
    output.emit_rows(rows, ("usaha", "aliases", "groups"), fmt)


@usaha_app.command("add")
def usaha_add(
    ctx: typer.Context,
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="The new business type's name, or an existing one to add aliases to.")
    ],
    alias: Annotated[list[str] | None, typer.Option("--alias", help="Another name for it (repeatable).")] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Add a business type, with aliases officers may type; on an existing type, add the aliases to it.

    Examples:
      kube usaha add "Pengolahan Kelor" --alias kelor --alias "daun kelor"
      kube usaha add Kuliner --alias "Usaha Kue Kering"
    """
    from kube_cli import places

    with state(ctx).open(write=True) as reg:
        row = places.usaha_add(reg, name, alias or [])
    added = row.pop("added_aliases", None)
    if added is not None:
        output.emit_record(row, fmt, _("Added alias(es) {aliases} to business type {usaha}.").format(
            aliases=added, usaha=row["usaha"]))  # fmt: skip
    else:
        output.emit_record(row, fmt, _("Added business type {usaha}.").format(**row))
