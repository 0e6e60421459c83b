"""Translation of user-facing strings: our own messages, command help, and typer's own words.

Every message meant for a person goes through ``_()`` so that ``tools/i18n_catalog.py extract``
finds it. The catalog is ``kube_cli/locale/<lang>/LC_MESSAGES/kube.mo`` (stdlib gettext only).

The language is decided once per run, before the command line is parsed (``use_language``, called
by the root command's ``main``): ``--lang id|en``, else ``KUBE_LANG``, else the locale
(``LC_ALL``/``LC_MESSAGES``/``LANG`` starting with ``id``), else English.

Three kinds of text are translated here, all from the same catalog:
- our messages: ``_("...")`` in kube_cli;
- command and option help: typer builds it in English from docstrings and ``help=``; the command tree
  is walked at run time and each text replaced by its translation (``translate_tree``);
- typer's own words. typer calls the stdlib ``gettext.gettext`` (``Options``, ``[default: {}]``…), so
  our domain is made the global one; the click it vendors has plain English f-strings (``Usage:``,
  ``No such option: …``), which ``translate_usage_error`` and ``USAGE_PREFIX`` handle by pattern.
  Those third-party msgids are listed below in ``N_()`` so that the extractor picks them up.
"""

from __future__ import annotations

import gettext
import os
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "kube"
LANGUAGES = ("id", "en")

_active: str | None = None


def N_(message: str) -> str:
    """Mark ``message`` for extraction without translating it now."""
    return message


def _normalise(value: str | None) -> str | None:
    """``id``, ``id_ID.UTF-8``, ``in_ID`` -> ``id``; ``en_US`` -> ``en``; anything else -> None."""
    value = (value or "").strip().lower()
    if not value:
        return None
    base = re.split(r"[_.@-]", value, maxsplit=1)[0]
    if base in ("id", "in"):
        return "id"
    if base == "en":
        return "en"
    return None


def language_from_env(environ: dict[str, str] | None = None) -> str:
    """``KUBE_LANG`` (id or en), else the first locale variable that is set, else English."""
    env = os.environ if environ is None else environ
    if lang := _normalise(env.get("KUBE_LANG")):
        return lang
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        if value := env.get(var, ""):
            return "id" if _normalise(value) == "id" else "en"
    return "en"


def language_from_argv(argv: Sequence[str]) -> str | None:
    """The value of ``--lang`` among the root options (before the subcommand), if it is id or en.

    A bad value is left to the parser, which refuses it (exit 2).
    """
    takes_value = {"--db", "--officer", "--lang"}
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--lang":
            return _normalise(argv[i + 1]) if i + 1 < len(argv) else None
        if arg.startswith("--lang="):
            return _normalise(arg.split("=", 1)[1])
        if arg == "--" or not arg.startswith("-"):
            return None
        i += 2 if arg in takes_value else 1
    return None


def use_language(lang: str | None) -> None:
    """Make ``lang`` the language of ``_()`` and of everything typer prints through gettext.

    ``None`` goes back to deciding from the environment.
    """
    global _active
    _active = (lang if lang in LANGUAGES else "en") if lang is not None else None
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = current_language()  # what the stdlib gettext.gettext reads first


@contextmanager
def language(lang: str) -> Iterator[None]:
    """Run in ``lang``, then put the language (and ``LANGUAGE``) back as it was."""
    before, env_before = _active, os.environ.get("LANGUAGE")
    use_language(lang)
    try:
        yield
    finally:
        use_language(before)
        if env_before is None:
            os.environ.pop("LANGUAGE", None)
        else:
            os.environ["LANGUAGE"] = env_before


def current_language() -> str:
    """The interface language of this run."""
    return _active or language_from_env()


@cache
def _translation(lang: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def _(message: str) -> str:
    """Translate ``message`` into the current interface language."""
    return _translation(current_language()).gettext(message)


# --- dates ---------------------------------------------------------------------------------------

MONTHS = (
    N_("January"), N_("February"), N_("March"), N_("April"), N_("May"), N_("June"), N_("July"),
    N_("August"), N_("September"), N_("October"), N_("November"), N_("December"),
)  # fmt: skip


def format_date(iso: str) -> str:
    """``2021-03-15`` as a person reads it: ``15 Maret 2021`` / ``15 March 2021``; other text as is."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", iso)
    if not match or not 1 <= int(match[2]) <= 12:
        return iso
    return f"{int(match[3])} {_(MONTHS[int(match[2]) - 1])} {match[1]}"


# --- field names ---------------------------------------------------------------------------------

# The fields that errors and the log name, as a person reads them. The English key stays in JSON and
# in English text (``gender 'L'``); in Indonesian the word is shown (``jenis kelamin 'L'``).
FIELD_LABELS = {
    "gender": N_("gender"), "role": N_("role"), "name": N_("name"), "nik": N_("NIK"), "kk": N_("No. KK"),
    "phone": N_("phone"), "desil": N_("desil"), "pkh_graduate": N_("PKH graduate"), "kelurahan": N_("kelurahan"),
    "kecamatan": N_("kecamatan"), "usaha": N_("usaha"), "year": N_("year"), "status": N_("status"),
    "stage": N_("stage"), "note": N_("note"), "amount": N_("amount"), "date": N_("date"), "period": N_("period"),
    "kind": N_("kind"), "source": N_("source"), "reason": N_("reason"), "code": N_("code"),
    "group": N_("group"), "group_code": N_("group code"), "group_name": N_("group name"), "member": N_("member"), "to": N_("to"),
    "officer": N_("officer"), "file": N_("file"), "member_id": N_("member id"), "aid_id": N_("aid id"),
    "aliases": N_("aliases"), "alias": N_("alias"), "members": N_("members"), "groups": N_("groups"),
    "wilayah": N_("wilayah"), "replace": N_("replace"), "since": N_("since"), "action": N_("action"),
    "business": N_("business"), "bookkeeping": N_("bookkeeping"), "members_present": N_("members present"),
    "omset": N_("omset"), "command": N_("command"), "aid": N_("aid"), "revenue": N_("revenue"),
    "limit": N_("limit"), "registry": N_("registry"), "backup": N_("backup"), "dest": N_("destination"),
}  # fmt: skip


def field_label(field: str) -> str:
    """A field's name for people: the key itself in English, its word in Indonesian.

    ``field`` may carry a place before it (``roster.csv:4: gender``, from an import); only the last
    word is a field.
    """
    if current_language() == "en":
        return field
    where, sep, key = field.rpartition(" ")
    if key in FIELD_LABELS:
        return where + sep + _(FIELD_LABELS[key])
    return field


# --- command help --------------------------------------------------------------------------------

_ORIGINAL = "_kube_i18n_original"
EXAMPLES = N_("Examples:")


def help_pieces(text: str) -> list[str]:
    """The msgids of a help text: each paragraph, but of an ``Examples:`` block only its label.

    Example command lines are the same in every language, so a translator never copies them.
    """
    pieces = []
    for paragraph in text.split("\n\n"):
        label, _sep, _rest = paragraph.partition("\n")
        pieces.append(EXAMPLES if label.strip() == EXAMPLES else paragraph)
    return pieces


def translate_help(text: str) -> str:
    """A help text in the interface language, paragraph by paragraph, examples as written."""
    out = []
    for paragraph in text.split("\n\n"):
        label, sep, rest = paragraph.partition("\n")
        out.append(_(EXAMPLES) + sep + rest if label.strip() == EXAMPLES else _(paragraph))
    return "\n\n".join(out)


def _translate_attrs(obj: Any, names: Sequence[str]) -> None:
    original = obj.__dict__.setdefault(_ORIGINAL, {n: getattr(obj, n, None) for n in names})
    for name, text in original.items():
        if text:
            setattr(obj, name, translate_help(text))


def walk_tree(command: Any, path: str = "kube") -> Any:
    """``(path, command)`` for every command and group under ``command``, itself first."""
    yield path, command
    for name, sub in (getattr(command, "commands", None) or {}).items():
        yield from walk_tree(sub, f"{path} {name}")


def translate_tree(root: Any, context_class: type | None = None) -> None:
    """Replace the help texts of ``root``'s whole command tree by their translation.

    The English originals are kept on each object, so running again in another language works.
    """
    for _path, command in walk_tree(root):
        _translate_attrs(command, ("help", "short_help", "epilog"))
        for param in command.params:
            _translate_attrs(param, ("help",))
            clean_placeholders(param)
            if choices := param.__dict__.get("_kube_choices"):  # ``table|csv|json`` would crowd narrow help
                text = (param.help or "").rstrip()
                dot = "." if text.endswith(".") else ""
                param.help = f"{text.removesuffix('.')} ({', '.join(choices)}){dot}".strip()
        if context_class is not None:
            command.context_class = context_class


# What an option's value is called in help when its type alone would say ``<str>``.
METAVARS = {
    "--limit": "N", "--days": "N", "--members-present": "N", "--desil": "1-10", "--omset-min": "AMOUNT",
    "--amount": "AMOUNT", "--omset": "AMOUNT", "--since": "DATE", "--date": "DATE", "--as-of": "DATE",
    "--year": "YYYY", "--output": "FILE", "--map": "HEADER=FIELD",
}  # fmt: skip


def clean_placeholders(param: Any) -> None:
    """Help that reads as a person writes it: ``--nik NIK``, ``--limit N``, ``CODE``; not typer 0.29's
    ``<str>``, ``<bool>``, ``<int range> [x>=1]`` or ``{CODE}``. Flags show no value at all."""
    if param.__dict__.get("_kube_clean"):
        return
    param._kube_clean = True
    param._get_number_range_help_str = lambda: None
    if getattr(param, "param_type_name", "") == "argument":
        name = param.metavar or (param.name or "").upper()
        usage = (name if param.required else f"[{name}]") + ("..." if param.nargs != 1 else "")
        param._usage_display_name = lambda: usage
        param.display_type_rich = lambda ctx: None
        return
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        param.display_type_rich = lambda ctx: None
        return
    if param.metavar is not None:
        return
    long = next((o for o in param.opts if o.startswith("--")), "")
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is not None and getattr(descriptor, "is_choice", False):  # the choices go in the help
        param._kube_choices = [str(getattr(c, "value", c)) for c in descriptor.choices or ()]
    param.metavar = METAVARS.get(long) or long.lstrip("-").replace("-", "_").upper() or None


def tree_texts(root: Any) -> list[tuple[str, str]]:
    """``(msgid, where)`` for every help text of the tree, in English, for the extractor."""
    found = []
    for path, command in walk_tree(root):
        texts = [getattr(command, name, None) for name in ("help", "short_help", "epilog")]
        where = [f"help of `{path}`"] * 3
        for param in command.params:
            texts.append(getattr(param, "help", None))
            where.append(f"help of `{path}` {param.opts[0] if param.opts else param.name}")
        for text, place in zip(texts, where, strict=True):
            found += [(piece, place) for piece in help_pieces(text or "") if piece.strip()]
    return found


# --- typer's own words ---------------------------------------------------------------------------

# typer.rich_utils reads these with gettext when it is first imported; names -> msgids.
RICH_UTILS_STRINGS = {
    "DEPRECATED_STRING": N_("(deprecated) "),
    "DEFAULT_STRING": N_("[default: {}]"),
    "ENVVAR_STRING": N_("[env var: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
}

# typer.core calls gettext with these at run time; listed so that the catalog has them.
TYPER_CORE_STRINGS = (
    N_("Missing command."),
    N_("No such command {name!r}."),
    N_("Aborted!"),
    N_("(dynamic)"),
    N_("default: {default}"),
    N_("required"),
    N_("env var: {var}"),
)

USAGE_PREFIX = N_("Usage: ")
HELP_OPTION_HELP = N_("Show this message and exit.")

# The click that typer vendors formats these in English f-strings: matched and rebuilt.
_USAGE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"(?P<message>.+?)\.? Did you mean (?P<names>.+)\?", N_("{message}. Did you mean {names}?")),
    (r"(?P<message>.+) \(Possible options: (?P<names>.+)\)", N_("{message} (Possible options: {names})")),
    (r"No such option: (?P<name>.+)", N_("No such option: {name}")),
    (r"Missing (?:argument|parameter) (?P<name>.+?)\.(?: (?P<extra>.+))?", N_("Missing argument {name}.")),
    (r"Missing option (?P<name>.+?)\.(?: (?P<extra>.+))?", N_("Missing option {name}.")),
    (r"Invalid value for (?P<name>.+?): (?P<message>.+)", N_("Invalid value for {name}: {message}")),
    (r"Invalid value: (?P<message>.+)", N_("Invalid value: {message}")),
    (r"Value error, (?P<message>.+)", "{message}"),
    (r"(?P<value>.+) is not one of (?P<choices>.+)\.", N_("{value} is not one of {choices}.")),
    (r"Got unexpected extra argument\(s\) \((?P<args>.+)\)", N_("Got unexpected extra argument(s) ({args})")),
    # typer's own missing-choice text, after "Missing option '--by'.": the choices one per line
    (r"Choose from:\n\t(?P<choices>.+)", N_("Choose from:\n\t{choices}")),
    # typer checks values with pydantic, whose messages are English too; the common ones:
    (r"Input should be a valid integer.*", N_("Input should be a whole number")),
    (r"Input should be greater than or equal to (?P<n>.+)", N_("Input should be at least {n}")),
    (r"Input should be less than or equal to (?P<n>.+)", N_("Input should be at most {n}")),
    (r"Option (?P<name>'.+?') requires an argument\.", N_("Option {name} requires an argument.")),
    (r"Option (?P<name>'.+?') requires (?P<n>\d+) arguments\.", N_("Option {name} requires {n} arguments.")),
    (r"Option (?P<name>'.+?') does not take a value\.", N_("Option {name} does not take a value.")),
)
_TRANSLATED_PARTS = {"message"}  # groups that are themselves messages, translated in turn


def translate_usage_error(text: str, translate: Callable[[str], str] = _) -> str:
    """A usage error's English text, as typer's vendored click writes it, in the current language."""
    for pattern, msgid in _USAGE_PATTERNS:
        match = re.fullmatch(pattern, text, flags=re.DOTALL)
        if match:
            parts = {k: v for k, v in match.groupdict().items() if v is not None}
            for key in _TRANSLATED_PARTS & parts.keys():
                parts[key] = translate_usage_error(parts[key], translate)
            extra = parts.pop("extra", None)
            result = translate(msgid).format(**parts) if msgid != "{message}" else parts["message"]
            return f"{result} {translate_usage_error(extra, translate)}" if extra else result
    return translate(text)
