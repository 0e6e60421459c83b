"""What every command shares: the app state set by the root options, and option aliases."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from kube_cli.formats import Format, ReportFormat

if TYPE_CHECKING:
    from kube_cli.db import Registry


@dataclass
class AppState:
    db: str | None = None
    officer: str | None = None
    debug: bool = False

    @property
    def path(self) -> Path:
        from kube_cli.db import resolve_path
        from kube_cli.vocab import check_path

        path = resolve_path(self.db)
        return Path(check_path(str(path), "--db" if self.db else "KUBE_DB"))

    @property
    def officer_name(self) -> str:
        """``--officer`` > ``KUBE_OFFICER`` > the OS user; checked like any text field (it goes in the log)."""
        from kube_cli.vocab import clean_text

        if self.officer:
            return clean_text(self.officer, "officer", max_len=100)
        if env := os.environ.get("KUBE_OFFICER"):
            return clean_text(env, "KUBE_OFFICER", max_len=100)
        import getpass

        try:
            return getpass.getuser()
        except Exception:  # noqa: BLE001 - no user name on this system: say so in the log
            return "unknown"

    @contextmanager
    def open(self, *, write: bool = False) -> Iterator[Registry]:
        """The registry: created when missing for a write, refused when missing for a read."""
        from kube_cli.db import open_registry

        with open_registry(self.path, self.officer_name, create=write) as registry:
            yield registry


def go_back(ctx: typer.Context, kept: str) -> str:
    """How to undo a restore or a merge: the ``kube restore`` line that brings the kept copy back."""
    import shlex

    from kube_cli.i18n import _

    typed = ctx.find_root().get_parameter_source("db")  # --db typed, not KUBE_DB (which the next command has too)
    db = f" --db {shlex.quote(str(state(ctx).path))}" if typed is not None and typed.name == "COMMANDLINE" else ""
    return _("To go back: kube{db} restore {kept}").format(db=db, kept=shlex.quote(kept))


def state(ctx: typer.Context) -> AppState:
    root = ctx.find_root()
    if not isinstance(root.obj, AppState):
        root.obj = AppState()
    return root.obj


FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
ReportFormatOpt = Annotated[ReportFormat, typer.Option("--format", "-f", help="Output format.")]
ShowNikOpt = Annotated[bool, typer.Option("--show-nik", help="Show NIK in full (written to the audit log).")]
YearOpt = Annotated[str | None, typer.Option("--year", help="A year, like 2021.")]
KecamatanOpt = Annotated[str | None, typer.Option("--kecamatan", help="Only this kecamatan.")]
KelurahanOpt = Annotated[str | None, typer.Option("--kelurahan", help="A kelurahan/desa name or code.")]
UsahaOpt = Annotated[str | None, typer.Option("--usaha", help="A business type (jenis usaha).")]
CodeArg = Annotated[str, typer.Argument(metavar="CODE", help="The group's code.", show_default=False)]
OptionalCodeArg = Annotated[
    str | None, typer.Argument(metavar="CODE", help="Only this group (its code).", show_default=False)
]
MemberArg = Annotated[str, typer.Argument(metavar="MEMBER", help="The member's NIK or id (see `kube member list`).")]
NoteOpt = Annotated[str | None, typer.Option("--note", help="A free-text note.")]
YesOpt = Annotated[
    bool, typer.Option("--yes", "-y", help="Do it without asking (also KUBE_YES=1); scripts are never asked.")
]
ReasonOpt = Annotated[str, typer.Option("--reason", help="Why (kept in the audit log).")]


def _no_pager(value: bool) -> None:
    if value:
        from kube_cli import output_terminal

        output_terminal.no_pager()


NoPagerOpt = Annotated[
    bool, typer.Option("--no-pager", expose_value=False, callback=_no_pager, help="Print long output straight "
                       "to the terminal, without a pager.")
]  # fmt: skip
