"""``kube group …`` and ``kube member …``: the KUBE and the people in them."""

from __future__ import annotations

from typing import Annotated

import typer

from kube_cli import output, output_details
from kube_cli.cmd_options import (
    CodeArg,
    FormatOpt,
    KecamatanOpt,
    KelurahanOpt,
    MemberArg,
    NoPagerOpt,
    NoteOpt,
    OptionalCodeArg,
    ReasonOpt,
    ShowNikOpt,
    UsahaOpt,
    YearOpt,
    YesOpt,
    state,
)
from kube_cli.formats import Format
from kube_cli.i18n import _
from kube_cli.records import GROUPS, MEMBERS

group_app = typer.Typer(help="Register and change KUBE (groups).", no_args_is_help=True)
member_app = typer.Typer(help="Add, change, move and remove members.", no_args_is_help=True)

StageOpt = Annotated[str | None, typer.Option("--stage", help="penumbuhan, pengembangan or mandiri.")]
KkOpt = Annotated[str | None, typer.Option("--kk", help="16-digit No. KK (Kartu Keluarga).")]
PhoneOpt = Annotated[str | None, typer.Option("--phone", help="Indonesian phone number, like 0812 3456 7890.")]
DesilOpt = Annotated[str | None, typer.Option("--desil", help="DTSEN decile, 1 to 10.")]

GROUP_COLUMNS = GROUPS.keys()
MEMBER_COLUMNS = MEMBERS.keys()


@group_app.command("add")
def group_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(metavar="NAME", help="The group's name, like 'KUBE Maju Bersama'.")],
    kelurahan: Annotated[str, typer.Option("--kelurahan", help="Kelurahan/desa name or code.")],
    usaha: Annotated[str, typer.Option("--usaha", help="Business type, like e-Warong.")],
    year: YearOpt = None,
    code: Annotated[str | None, typer.Option("--code", help="Use this code instead of a generated one.")] = None,
    note: NoteOpt = None,
    stage: Annotated[str | None, typer.Option("--stage", help="penumbuhan (default), pengembangan or mandiri.")] = None,
    allow_duplicate_name: Annotated[
        bool, typer.Option("--allow-duplicate-name", help="Register it even if the kelurahan has a group of this name.")
    ] = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Register a new KUBE and print its code.

    Examples:
      kube group add "KUBE Sintuvu" --kelurahan lasoani --usaha e-waroeng --year 2021
    """
    from kube_cli import registry

    with state(ctx).open(write=True) as reg:
        group = registry.group_add(reg, name, kelurahan, usaha, year, code, note, allow_duplicate_name, stage)
    output.emit_created_code(group, fmt, _("Added {name} ({kelurahan}, {kecamatan}): code {code}").format(**group))


@group_app.command("list")
def group_list(
    ctx: typer.Context,
    kelurahan: KelurahanOpt = None,
    kecamatan: KecamatanOpt = None,
    usaha: UsahaOpt = None,
    year: Annotated[str | None, typer.Option("--year", help="Registered in this year.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="aktif or nonaktif.")] = None,
    stage: StageOpt = None,
    fmt: FormatOpt = Format.table,
    no_pager: NoPagerOpt = False,
) -> None:
    """List groups, with their member counts (outside 5-20 members is flagged).

    Examples:
      kube group list --kecamatan mantikulore
      kube group list --usaha e-warong --format csv
    """
    from kube_cli import registry

    with state(ctx).open() as reg:
        groups = registry.group_list(reg, kelurahan, kecamatan, usaha, year, status, stage)
    output.emit_groups(groups, GROUP_COLUMNS, fmt)


@group_app.command("show")
def group_show(ctx: typer.Context, code: CodeArg, show_nik: ShowNikOpt = False, fmt: FormatOpt = Format.table,
               no_pager: NoPagerOpt = False) -> None:  # fmt: skip
    """Show one group whole: its place, business, members, aid and revenue.

    Examples:
      kube group show PALU-001
    """
    from kube_cli import registry

    with state(ctx).open() as reg:
        group = registry.group_show(reg, code, show_nik=show_nik)
    output_details.emit_group(group, fmt, MEMBER_COLUMNS)


@group_app.command("edit")
def group_edit(
    ctx: typer.Context,
    code: CodeArg,
    name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    kelurahan: KelurahanOpt = None,
    usaha: UsahaOpt = None,
    year: Annotated[str | None, typer.Option("--year", help="Year registered.")] = None,
    status: Annotated[str | None, typer.Option("--status", help="aktif or nonaktif.")] = None,
    new_code: Annotated[
        str | None, typer.Option("--code", metavar="NEW_CODE", help="Give the group a new code.")
    ] = None,
    note: NoteOpt = None,
    stage: StageOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Change a group's name, place, business, year, status, stage or code.

    Examples:
      kube group edit PALU-007 --status nonaktif
      kube group edit K-7GXP-96Z6 --code PALU-101
    """
    from kube_cli import registry

    with state(ctx).open(write=True) as reg:
        group = registry.group_edit(reg, code, name=name, kelurahan=kelurahan, usaha=usaha, year=year,
                                    status=status, note=note, new_code=new_code, stage=stage)  # fmt: skip
    output.emit_record(group, fmt, _("Updated group {code}.").format(**group))


@group_app.command("remove")
def group_remove(ctx: typer.Context, code: CodeArg, reason: ReasonOpt, yes: YesOpt = False,
                 fmt: FormatOpt = Format.table) -> None:  # fmt: skip
    """Remove a group registered by mistake (one with no members and no money); its history is kept.

    Examples:
      kube group remove K-7GXP-96Z6 --reason "didaftarkan dua kali"
    """
    from kube_cli import registry

    with state(ctx).open(write=True) as reg:
        group = registry.group_removal(reg, code, reason)
        output.confirm(_("Remove {name} ({code})?").format(**group), yes)
        group = registry.group_remove(reg, group["code"], reason)
    output.emit_record(group, fmt, _("Removed group {code} ({name}).").format(**group))


@member_app.command("add")
def member_add(
    ctx: typer.Context,
    code: CodeArg,
    nik: Annotated[str, typer.Option("--nik", help="16-digit NIK.")],
    name: Annotated[str, typer.Option("--name", help="Full name.")],
    role: Annotated[str, typer.Option("--role", help="ketua, sekretaris, bendahara or anggota.")] = "anggota",
    gender: Annotated[str | None, typer.Option("--gender", help="L or P (default: from the NIK).")] = None,
    pkh_graduate: Annotated[bool, typer.Option("--pkh-graduate", help="Graduated from PKH.")] = False,
    kk: KkOpt = None,
    phone: PhoneOpt = None,
    desil: DesilOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Add a member to a group.

    Examples:
      kube member add PALU-001 --nik 7271084506850001 --name "Siti Rahma" --role ketua --pkh-graduate
    """
    from kube_cli import registry

    with state(ctx).open(write=True) as reg:
        member = registry.member_add(reg, code, nik, name, role, gender, pkh_graduate, warn=output.warn, kk=kk,
                                     phone=phone, desil=desil)  # fmt: skip
    output.emit_record(
        member, fmt, _("Added {name} ({nik}) to {group_code} as {role}; member id {id}.").format(**member)
    )


@member_app.command("list")
def member_list(ctx: typer.Context, code: OptionalCodeArg = None, show_nik: ShowNikOpt = False,
                fmt: FormatOpt = Format.table, no_pager: NoPagerOpt = False) -> None:  # fmt: skip
    """List current members, NIK masked unless --show-nik.

    Examples:
      kube member list PALU-001
      kube member list --format csv > anggota.csv
    """
    from kube_cli import registry

    with state(ctx).open() as reg:
        members = registry.member_list(reg, code, show_nik=show_nik)
    output.emit_rows(members, MEMBER_COLUMNS, fmt, empty=_("No members."))


@member_app.command("show")
def member_show(ctx: typer.Context, member: MemberArg, show_nik: ShowNikOpt = False,
                fmt: FormatOpt = Format.table) -> None:  # fmt: skip
    """Show one member, their group, and their history (added, edits, moves, removal).

    Examples:
      kube member show 7271084506850001
      kube member show 12 --format json
    """
    from kube_cli import lookup

    with state(ctx).open() as reg:
        record = lookup.member_show(reg, member, show_nik=show_nik)
    output_details.emit_member(record, fmt)


@member_app.command("edit")
def member_edit(
    ctx: typer.Context,
    member: MemberArg,
    name: Annotated[str | None, typer.Option("--name", help="New name.")] = None,
    role: Annotated[str | None, typer.Option("--role", help="ketua, sekretaris, bendahara or anggota.")] = None,
    gender: Annotated[str | None, typer.Option("--gender", help="L or P.")] = None,
    pkh_graduate: Annotated[bool | None, typer.Option("--pkh-graduate/--no-pkh-graduate", help="PKH graduate?")] = None,
    nik: Annotated[str | None, typer.Option("--nik", metavar="NEW_NIK", help="The corrected NIK.")] = None,
    kk: KkOpt = None,
    phone: PhoneOpt = None,
    desil: DesilOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Change a member's name, role, gender, PKH flag, NIK, No. KK, phone or desil.

    Examples:
      kube member edit 7271084506850001 --role ketua
      kube member edit 12 --nik 7271084506850011
      kube member edit 7271084506850001 --phone 0812-3456-7890 --desil 2
    """
    from kube_cli import registry

    with state(ctx).open(write=True) as reg:
        row = registry.member_edit(reg, member, name, role, gender, pkh_graduate, nik, kk, phone, desil, output.warn)
    output.emit_record(row, fmt, _("Updated member {id} ({nik}).").format(**row))


@member_app.command("move")
def member_move(
    ctx: typer.Context,
    member: MemberArg,
    to: Annotated[str, typer.Option("--to", help="Code of the group to move to.")],
    yes: YesOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Move a member to another group.

    Examples:
      kube member move 7271084506850001 --to PALU-002
      kube member move 12 --to PALU-002 --yes
    """
    from kube_cli import registry

    with state(ctx).open(write=True) as reg:
        output.confirm(_("Move {name} ({nik}) from {group_code} to {to}?").format(
            **registry.describe_member_move(reg, member, to)), yes)  # fmt: skip
        row = registry.member_move(reg, member, to)
    output.emit_record(row, fmt, _("Moved member {id} ({nik}) to {group_code}.").format(**row))


@member_app.command("remove")
def member_remove(
    ctx: typer.Context,
    member: MemberArg,
    reason: Annotated[str | None, typer.Option("--reason", help="Why (kept in the audit log).")] = None,
    yes: YesOpt = False,
    fmt: FormatOpt = Format.table,
) -> None:
    """Remove a member from their group (the history is kept).

    Examples:
      kube member remove 7271084506850001 --reason "pindah domisili"
      kube member remove 12 --yes
    """
    from kube_cli import registry

    with state(ctx).open(write=True) as reg:
        output.confirm(_("Remove {name} ({nik}) from {group_code}?").format(
            **registry.describe_member(reg, member)), yes)  # fmt: skip
        row = registry.member_remove(reg, member, reason)
    output.emit_record(row, fmt, _("Removed member {id} ({nik}) from {group_code}.").format(**row))


FIND_COLUMNS = ("kind", "code", "name", "role", "id", "nik")


def find(
    ctx: typer.Context,
    text: Annotated[
        str, typer.Argument(metavar="TEXT", help="A name or part of one, a code, a NIK or its last 4 digits.")
    ],
    fmt: FormatOpt = Format.table,
) -> None:
    """Find groups and members by name, code or NIK (whole, or its last 4 digits).

    Examples:
      kube find "siti rahma"
      kube find 0001
      kube find sintuvu --format json
    """
    from kube_cli import lookup

    with state(ctx).open() as reg:
        rows = lookup.find(reg, text)
    output.emit_found(rows, FIND_COLUMNS, fmt, empty=_("Nothing matches '{text}'.").format(text=text.strip()))
