"""The ``kube`` command: global options, the error boundary, and the command groups."""

from __future__ import annotations

import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

try:  # typer >= 0.23 vendors click: its usage errors are its own classes
    from typer._click import exceptions as click_exceptions
    from typer._click.formatting import HelpFormatter
except ImportError:  # pragma: no cover - older typer on plain click
    from click import exceptions as click_exceptions
    from click.formatting import HelpFormatter

from kube_cli import __version__, cmd_team, i18n, output
from kube_cli.cmd_batch import export, import_
from kube_cli.cmd_groups import group_app, member_app
from kube_cli.cmd_maintenance import backup, check, restore
from kube_cli.cmd_money import aid_app, revenue_app
from kube_cli.cmd_options import AppState, FormatOpt, state
from kube_cli.cmd_places import usaha_app, wilayah
from kube_cli.cmd_report import report_app
from kube_cli.errors import ExitCode, KubeError
from kube_cli.i18n import _
from kube_cli.output import Format


class KubeFormatter(HelpFormatter):
    """Help and usage lines with ``Usage:`` in the interface language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, i18n._(i18n.USAGE_PREFIX) if prefix is None else prefix)


class KubeContext(typer.Context):
    formatter_class = KubeFormatter

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if (help_option := self.command.get_help_option(self)) is not None:
            help_option.help = i18n._(i18n.HELP_OPTION_HELP)


def _translated(error: click_exceptions.ClickException) -> click_exceptions.ClickException:
    """A usage error from typer's vendored click, its message in the interface language."""
    if not getattr(error, "_kube_translated", False):
        text = i18n.translate_usage_error(error.format_message())
        error.format_message = lambda: text  # type: ignore[method-assign]
        error._kube_translated = True  # type: ignore[attr-defined]
    return error


def _registry_busy(error: Exception) -> bool:
    """SQLite gave up waiting for another writer (sqlite3 is imported only by commands that use it)."""
    sqlite3 = sys.modules.get("sqlite3")
    return (
        bool(sqlite3)
        and isinstance(error, sqlite3.OperationalError)
        and ("locked" in str(error) or "busy" in str(error))
    )


class KubeGroup(TyperGroup):
    """The error boundary: refused data exits 1 with one line per problem; a bug exits 3.

    It also sets the interface language before anything is parsed, so help follows ``--lang``.
    """

    def main(self, *args: Any, **kwargs: Any) -> Any:
        argv = kwargs.get("args", args[0] if args else None)
        argv = sys.argv[1:] if argv is None else list(argv)
        with i18n.language(i18n.language_from_argv(argv) or i18n.language_from_env()):
            if "typer.rich_utils" in sys.modules:  # imported by an earlier run in this process
                rich_utils = sys.modules["typer.rich_utils"]
                for name, msgid in i18n.RICH_UTILS_STRINGS.items():
                    setattr(rich_utils, name, i18n._(msgid))
            i18n.translate_tree(self, KubeContext)
            return super().main(*args, **kwargs)

    def make_context(self, *args: Any, **kwargs: Any) -> typer.Context:
        try:
            return super().make_context(*args, **kwargs)
        except click_exceptions.UsageError as error:
            raise _translated(error) from None

    def invoke(self, ctx: typer.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KubeError as error:
            for line in error.lines():
                output.error(line)
            ctx.exit(ExitCode.REFUSED)
        except click_exceptions.UsageError as error:
            raise _translated(error) from None
        except (click_exceptions.ClickException, typer.Exit, typer.Abort):
            raise
        except BrokenPipeError:
            raise  # the reader went away (`| head`): main() ends quietly
        except KeyboardInterrupt:
            output.error(_("interrupted; nothing was written"))
            ctx.exit(130)
        except Exception as error:  # noqa: BLE001 - the edge: everything unexpected is caught here
            if _registry_busy(error):
                output.error(_("the registry is busy: another kube is writing to it; try again"))
                ctx.exit(ExitCode.REFUSED)
            self._internal(ctx, error)

    @staticmethod
    def _internal(ctx: typer.Context, error: Exception) -> None:
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
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Lang(StrEnum):
    id = "id"
    en = "en"


def _version(value: bool) -> None:
    if value:
        output.emit_line(f"kube {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[str | None, typer.Option("--db", envvar="KUBE_DB", help="Registry file (default: KUBE_DB, "
                                           "else kube.db in your user data folder).", show_envvar=False)] = None,
    officer: Annotated[str | None, typer.Option("--officer", help="Your name for the audit log "
                                                "(default: KUBE_OFFICER, else your user name).")] = None,
    lang: Annotated[Lang | None, typer.Option("--lang", help="Interface language: id (Bahasa Indonesia) or en "
                                              "(default: KUBE_LANG, else the system locale).")] = None,
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
    output.emit_line(path)


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
app.command("backup")(backup)
app.command("restore")(restore)
app.command("check")(check)
app.command("merge")(cmd_team.merge)
app.command("publish")(cmd_team.publish)
app.command("import")(import_)
app.command("export")(export)


def main() -> None:
    """The console script (``KubeGroup.main`` reads ``--lang`` before anything is parsed)."""
    try:
        app(prog_name="kube")
    except BrokenPipeError:  # `kube ... | head` closed the pipe: not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(ExitCode.REFUSED)
