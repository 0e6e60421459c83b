"""The ``kube`` command: global options, the error boundary, and the command groups."""

from __future__ import annotations

import shutil
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

from kube_cli import __version__, i18n, typer_compat
from kube_cli.cmd_options import AppState
from kube_cli.errors import ExitCode, KubeError, damage, damaged_registry
from kube_cli.i18n import N_, _
from kube_cli.typer_compat import ClickException, Command, MissingParameter, UsageError

# Every command, in the order `kube --help` lists them: the module and name that define it, and the first
# paragraph of its help. A command's module is imported only when that command runs, so an officer's
# `kube group list` does not pay for building `kube import` or `kube report`; the summaries let
# `kube --help` list them all without importing any (tests/test_startup.py checks they match).
COMMANDS: dict[str, tuple[str, str, str]] = {
    "init": ("cmd_setup", "init", N_("Create the registry (or upgrade an existing one) and print where it is.")),
    "demo": ("cmd_setup", "demo", N_("Build a fresh temporary registry from the sample data, then print the full "
                                     "report.")),
    "log": ("cmd_setup", "log", N_("Show the audit log: who changed what, and when.")),
    "wilayah": ("cmd_places", "wilayah", N_("List the kelurahan/desa of the registry's region, with their Kemendagri "
                                            "codes.")),
    "backup": ("cmd_maintenance", "backup", N_("Copy the registry to DEST, safely even while others are writing; "
                                               "prints the copy's path.")),
    "restore": ("cmd_maintenance", "restore", N_("Replace the registry with BACKUP, after checking it; the current one "
                                                 "is kept beside it.")),
    "check": ("cmd_maintenance", "check", N_("Check the registry: file integrity, links between records, and the KUBE "
                                             "rules.")),
    "merge": ("cmd_team", "merge", N_("Bring another registry's groups, members, aid, revenue and log into this "
                                      "one.")),
    "publish": ("cmd_team", "publish", N_("Write a copy with no personal data, and Datasette metadata, for the "
                                          "public.")),
    "import": ("cmd_batch", "import_", N_("Import groups, members, aid, revenue or a roster: every row is checked, "
                                          "then all written at once.")),
    "export": ("cmd_batch", "export", N_("Export records in the columns `kube import` reads, so the file imports "
                                         "back as it is.")),
    "usaha": ("cmd_places", "usaha_app", N_("The business types (jenis usaha) and their aliases.")),
    "find": ("cmd_groups", "find", N_("Find groups and members by name, code or NIK (whole, or its last 4 digits).")),
    "group": ("cmd_groups", "group_app", N_("Register and change KUBE (groups).")),
    "member": ("cmd_groups", "member_app", N_("Add, change, move and remove members.")),
    "aid": ("cmd_money", "aid_app", N_("Record and list aid (bantuan) given to groups.")),
    "revenue": ("cmd_money", "revenue_app", N_("Record and list groups' revenue (omset).")),
    "visit": ("cmd_visits", "visit_app", N_("Record and list monitoring visits to groups.")),
    "due": ("cmd_visits", "due", N_("The worklist: active groups that need a visit, most urgent first, and why.")),
    "report": ("cmd_report", "report_app", N_("Counts and totals for the office and the press.")),
}  # fmt: skip


class KubeFormatter(typer.Context.formatter_class):
    """Help and usage lines with ``Usage:`` in the interface language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, i18n._(i18n.USAGE_PREFIX) if prefix is None else prefix)


class KubeContext(typer.Context):
    formatter_class = KubeFormatter

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if (help_option := self.command.get_help_option(self)) is not None:
            help_option.help = i18n._(i18n.HELP_OPTION_HELP)
            i18n.clean_placeholders(help_option)  # no ``<bool>`` beside --help
            typer_compat.fast_param(help_option)

    def get_help(self) -> str:
        typer_compat.fit_help(narrow=shutil.get_terminal_size((80, 24)).columns < 80)
        return super().get_help()


def _translated(error: ClickException) -> ClickException:
    """A usage error from typer's vendored click, its message in the interface language."""
    if not getattr(error, "_kube_translated", False):
        from kube_cli.safetext import mask_digit_runs  # a NIK typed where an option was due stays masked

        text = mask_digit_runs(i18n.translate_usage_error(error.format_message()))  # (its lines stay lines)
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


def _check_arguments(args: list[str]) -> None:
    """Refuse an argument holding bytes that are not UTF-8 (the shell passed them through as they were)."""
    from kube_cli.safetext import undecodable

    if (bad := undecodable(args)) is not None:
        at = args.index(bad)
        option = args[at - 1] if at and args[at - 1].startswith("--") and "=" not in args[at - 1] else "argument"
        raise KubeError(option, bad, _("is not UTF-8 text"), _("type it again, or rename the file"))


def _damage_behind(ctx: typer.Context, error: Exception) -> str | None:
    """Another SQLite error (``no such column``) is damage when SQLite's ``quick_check`` of the registry
    finds some (a flipped byte in the schema), else a bug."""
    sqlite3 = sys.modules.get("sqlite3")
    if not (sqlite3 and isinstance(error, sqlite3.DatabaseError) and isinstance(ctx.obj, AppState)):
        return None
    from kube_cli.maintenance import quick_damage

    try:
        return quick_damage(ctx.obj.path)
    except KubeError:  # the path itself was refused: not damage
        return None


class KubeCommand(TyperCommand):
    """A command that names every required option missing, and asks for them at a terminal."""

    def parse_args(self, ctx: typer.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, list(args))
        except MissingParameter as first:
            if ctx.resilient_parsing:
                raise
            missing = typer_compat.missing_params(self, ctx, args)
            if sys.stdin.isatty() and sys.stderr.isatty() and (given := _ask_for(ctx, missing)) is not None:
                options, arguments = given
                return super().parse_args(ctx, [*options, *args, *arguments])
            if len(missing) < 2:
                raise first from None
            raise _missing_error(ctx, missing) from None


def _ask_for(ctx: typer.Context, missing: list[Any]) -> tuple[list[str], list[str]] | None:
    """The missing values, asked for one by one; ``None`` when the person ends the input (Ctrl-D)."""
    from kube_cli.completion import ask

    options: list[str] = []
    arguments: list[str] = []
    for param in missing:
        is_option = param.param_type_name == "option"
        name = param.opts[0] if is_option else (param.metavar or param.name.upper())
        label = f"{name} ({param.help.rstrip('.')}): " if param.help else f"{name}: "
        while (value := ask(ctx, param, label)) is not None and not value.strip():
            pass
        if value is None:
            return None
        if is_option:
            options += [param.opts[0], value]
        else:
            arguments.append(value)
    return options, arguments


def _missing_error(ctx: typer.Context, missing: list[Any]) -> UsageError:
    names = ", ".join(param.get_error_hint() for param in missing)
    kinds = {param.param_type_name for param in missing}
    if kinds == {"option"}:
        text = _("Missing options {names}.")
    elif kinds == {"argument"}:
        text = _("Missing arguments {names}.")
    else:
        text = _("Missing arguments and options {names}.")
    error = UsageError(text.format(names=names), ctx=ctx)
    error._kube_translated = True  # type: ignore[attr-defined]
    return error


class Listed(TyperCommand):
    """A command as ``kube --help`` lists it: its name and summary, without importing its module."""

    def __init__(self, name: str, summary: str) -> None:
        super().__init__(name, help=summary)


def load_command(name: str) -> Command:
    """The command ``name`` as typer builds it from the module that defines it."""
    import importlib

    import typer.main

    module, attribute, _summary = COMMANDS[name]
    defined = getattr(importlib.import_module(f"kube_cli.{module}"), attribute)
    if isinstance(defined, typer.Typer):  # a group of commands
        command: Command = typer.main.get_group(defined)
    else:  # a function: a command of its own
        single = typer.Typer(add_completion=False)
        single.command(name)(defined)
        command = typer.main.get_command(single)
    command.name = name
    for each in typer_compat.walk(command):
        if type(each) is TyperCommand:
            each.__class__ = KubeCommand  # the same command, naming (or asking for) every missing option
    typer_compat.fast_params(command)
    from kube_cli import completion

    completion.attach(command)
    return command


class KubeGroup(TyperGroup):
    """The error boundary: refused data exits 1 with one line per problem; a bug exits 3.

    It also sets the interface language before anything is parsed, so help follows ``--lang``, and it
    imports a command's module only when that command runs (see ``COMMANDS``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, (_module, _attribute, summary) in COMMANDS.items():
            self.commands.setdefault(name, Listed(name, summary))

    def resolve_command(self, ctx: typer.Context, args: list[str]) -> tuple[str | None, Command | None, list[str]]:
        if args and isinstance(self.commands.get(args[0]), Listed):
            self.commands[args[0]] = command = load_command(args[0])
            i18n.translate_tree(command, KubeContext)
        return super().resolve_command(ctx, args)

    def load_all(self) -> KubeGroup:
        """Every command built, as the translation catalog and the tests of help texts need them."""
        for name, command in list(self.commands.items()):
            if isinstance(command, Listed):
                self.commands[name] = load_command(name)
        return self

    def main(self, *args: Any, **kwargs: Any) -> Any:
        argv = kwargs.get("args", args[0] if args else None)
        argv = sys.argv[1:] if argv is None else list(argv)
        self.argv = argv  # checked by invoke(), inside the error boundary
        with i18n.language(i18n.language_from_argv(argv) or i18n.language_from_env()):
            # typer.rich_utils read its words when first imported: in this run's language they are
            typer_compat.translate_rich_utils({name: i18n._(msgid) for name, msgid in i18n.RICH_UTILS_STRINGS.items()})
            i18n.translate_tree(self, KubeContext)
            typer_compat.fast_params(self)
            return super().main(*args, **kwargs)

    def make_context(self, *args: Any, **kwargs: Any) -> typer.Context:
        try:
            return super().make_context(*args, **kwargs)
        except UsageError as error:
            raise _translated(error) from None

    def invoke(self, ctx: typer.Context) -> Any:
        from kube_cli import output  # here, not at the top: `kube --help` is drawn without it

        try:
            _check_arguments(getattr(self, "argv", []))
            return super().invoke(ctx)
        except KubeError as error:
            for line in error.lines():
                output.error(line)
            ctx.exit(ExitCode.REFUSED)
        except UsageError as error:
            raise _translated(error) from None
        except (ClickException, typer.Exit, typer.Abort):
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
            if refused := self._system_refusal(ctx, error):
                output.error(str(refused))
                ctx.exit(ExitCode.REFUSED)
            if (what := damage(error) or _damage_behind(ctx, error)) is not None:  # a damaged file, not a bug
                for line in damaged_registry(what).lines():
                    output.error(line)
                ctx.exit(ExitCode.REFUSED)
            self._internal(ctx, error)

    @staticmethod
    def _system_refusal(ctx: typer.Context, error: Exception) -> KubeError | None:
        """A full disk, a read-only folder or a refused permission is no bug: one line naming the file
        and the fix (``fileio.refusal``). SQLite's errors are the registry's; a system error that names
        no file is the output's (the files kube writes itself name themselves, ``fileio.refused_as``)."""
        if not isinstance(error, OSError) and "sqlite3" not in sys.modules:
            return None
        from kube_cli import fileio

        if isinstance(error, OSError):
            return fileio.refusal(error, error.filename or "stdout", "file" if error.filename else "output")
        return fileio.refusal(error, ctx.obj.path if isinstance(ctx.obj, AppState) else None)

    @staticmethod
    def _internal(ctx: typer.Context, error: Exception) -> None:
        from kube_cli import output

        # --debug is in ctx.params even when the error came before the root callback set ctx.obj
        # (say, while a command's module was being imported)
        if (isinstance(ctx.obj, AppState) and ctx.obj.debug) or ctx.params.get("debug"):
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
    add_completion=True,  # --install-completion, --show-completion: typer's own (values in kube_cli.completion)
    context_settings={"help_option_names": ["-h", "--help"]},
)


class Lang(StrEnum):
    id = "id"
    en = "en"


def _version(value: bool) -> None:
    if value:
        from kube_cli import output

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


def command_tree() -> KubeGroup:
    """The whole command tree, every command built, help texts as written (English): for the
    translation catalog, the help tests and the start-up benchmark."""
    import typer.main

    tree = typer.main.get_command(app)
    assert isinstance(tree, KubeGroup)
    return tree.load_all()


def main() -> None:
    """The console script (``KubeGroup.main`` reads ``--lang`` before anything is parsed)."""
    typer_compat.accept_click_instruction("_KUBE_COMPLETE")
    try:
        app(prog_name="kube")
    except BrokenPipeError:  # `kube ... | head` closed the pipe: not an error of ours
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(ExitCode.REFUSED)
