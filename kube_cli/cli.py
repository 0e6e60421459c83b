"""The ``kube`` command: global options, the error boundary, and the command groups."""

from __future__ import annotations

import sqlite3
import sys
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

from kube_cli import __version__, output
from kube_cli.cmd_batch import export, import_
from kube_cli.cmd_groups import group_app, member_app
from kube_cli.cmd_money import aid_app, revenue_app
from kube_cli.cmd_options import AppState, FormatOpt, state
from kube_cli.cmd_places import usaha_app, wilayah
from kube_cli.cmd_report import report_app
from kube_cli.errors import ExitCode, KubeError
from kube_cli.i18n import _
from kube_cli.output import Format

# typer >= 0.29 vendors click: its usage errors (exit 2) are not click's classes.
_TYPER_PASS = tuple(
    getattr(typer.exceptions, n) for n in ("TyperException", "Exit", "Abort") if hasattr(typer.exceptions, n)
)


class KubeGroup(TyperGroup):
    """The error boundary: refused data exits 1 with one line per problem; a bug exits 3."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KubeError as error:
            for line in error.lines():
                output.error(line)
            ctx.exit(ExitCode.REFUSED)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, *_TYPER_PASS):
            raise
        except sqlite3.OperationalError as error:
            if "locked" in str(error) or "busy" in str(error):
                output.error(_("the registry is busy: another kube is writing to it; try again"))
                ctx.exit(ExitCode.REFUSED)
            self._internal(ctx, error)
        except KeyboardInterrupt:
            output.error(_("interrupted; nothing was written"))
            ctx.exit(130)
        except Exception as error:  # noqa: BLE001 - the edge: everything unexpected is caught here
            self._internal(ctx, error)

    @staticmethod
    def _internal(ctx: click.Context, error: Exception) -> None:
        if isinstance(ctx.obj, AppState) and ctx.obj.debug:
            raise error
        output.error(
            _("internal error ({kind}: {message}). This is a bug in kube {version}: please report it with "
              "the output of `kube --version`, and rerun with --debug for the details.").format(
                kind=type(error).__name__, message=str(error)[:200], version=__version__)
        )  # fmt: skip
        ctx.exit(ExitCode.INTERNAL)


app = typer.Typer(
    cls=KubeGroup,
    name="kube",
    help="kube: the registry of KUBE (Kelompok Usaha Bersama) groups, members, aid and revenue.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"kube {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", envvar="KUBE_DB", help="Registry file (default: KUBE_DB, "
                                           "else kube.db in your user data folder).", show_envvar=False)] = None,
    officer: Annotated[str | None, typer.Option("--officer", help="Your name for the audit log "
                                                "(default: KUBE_OFFICER, else your user name).")] = None,
    lang: Annotated[str | None, typer.Option("--lang", help="Interface language: id or en.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks, for bug reports.")] = False,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:  # fmt: skip
    ctx.obj = AppState(db=db, officer=officer, debug=debug)


@app.command()
def init(
    ctx: typer.Context,
    wilayah_code: Annotated[str | None, typer.Option("--wilayah", help="Region code: 72.71 (Kota Palu, default), "
                                                     "a province or kabupaten/kota, or ID.")] = None,
) -> None:  # fmt: skip
    """Create the registry (or upgrade an existing one) and print where it is.

    Examples:
      kube init
      kube --db dinsos.db init --wilayah 72
    """
    from kube_cli import setup

    path = setup.init(state(ctx).path, state(ctx).officer_name, wilayah_code)
    print(path)


@app.command()
def demo(ctx: typer.Context) -> None:
    """Build a fresh temporary registry from the sample data, then print the full report.

    Examples:
      kube demo
    """
    from kube_cli import setup

    data, omset = setup.demo(state(ctx).officer_name)
    output.emit_summary(data, "table", _("KUBE report — sample registry (fictional people, real kelurahan)"))
    output.emit_omset(omset[2], "table", omset[0], omset[1], "")


@app.command("log")
def log(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many entries, newest first.")] = 50,
    fmt: FormatOpt = Format.table,
) -> None:
    """Show the audit log: who changed what, and when.

    Examples:
      kube log --limit 20
    """
    from kube_cli import setup

    with state(ctx).open() as reg:
        rows = setup.audit_log(reg, limit)
    output.emit_rows(rows, ("time", "officer", "action", "target", "detail"), fmt, empty=_("The log is empty."))


app.command("wilayah")(wilayah)
app.add_typer(usaha_app, name="usaha")
app.add_typer(group_app, name="group")
app.add_typer(member_app, name="member")
app.add_typer(aid_app, name="aid")
app.add_typer(revenue_app, name="revenue")
app.add_typer(report_app, name="report")
app.command("import")(import_)
app.command("export")(export)


def main() -> None:
    """The console script: ``--lang`` is read before anything is parsed, so help follows it."""
    argv = sys.argv[1:]
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            import os

            os.environ["KUBE_LANG"] = argv[i + 1]
        elif arg.startswith("--lang="):
            import os

            os.environ["KUBE_LANG"] = arg.split("=", 1)[1]
    app(prog_name="kube")
