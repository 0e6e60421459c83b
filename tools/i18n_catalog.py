"""The one place kube's translatable strings are extracted, merged, compiled and checked.

After code changes (new commands, options, messages), run:

    python tools/i18n_catalog.py update     # extract + merge: new entries arrive untranslated
    # translate the empty msgstr "" entries in kube_cli/locale/id/LC_MESSAGES/kube.po
    python tools/i18n_catalog.py compile    # -> kube.mo (committed: the wheel ships it)
    python tools/i18n_catalog.py check      # exit 1 while anything is untranslated or stale

What is extracted (all English, the msgids):
  1. every ``_("...")`` and ``N_("...")`` call in kube_cli (babel's Python extractor); the
     ``N_()`` marks in kube_cli/i18n.py list typer's own words (``Options``, ``Usage: ``,
     ``No such option: {name}``…), which typer and its vendored click print;
  2. the help of every command, group, argument and option, read from the command tree that typer
     builds (docstrings as typer cleans them, and ``help=``).

Needs Babel (the ``test`` extra); kube itself reads the .mo with the stdlib gettext only.
"""

from __future__ import annotations

import argparse
import io
import os
import string
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "kube_cli"
LOCALE = PACKAGE / "locale"
POT = LOCALE / "kube.pot"
LANGS = ("id",)
sys.path.insert(0, str(ROOT))  # this checkout's kube_cli, whatever is installed


def po_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "kube.po"


def mo_path(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "kube.mo"


def _command_tree():
    """The command tree as typer builds it, in English."""
    os.environ["KUBE_LANG"] = "en"
    from kube_cli import i18n
    from kube_cli.cli import command_tree

    i18n.use_language("en")
    return command_tree()


def template():
    """A fresh catalog of every msgid kube uses."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    from kube_cli import __version__, i18n

    catalog = Catalog(project="kube", version=__version__, charset="utf-8", fuzzy=False)
    for filename, lineno, message, comments, context in extract_from_dir(
        str(PACKAGE), method_map=[("**.py", "python")], keywords={"_": None, "N_": None},
        comment_tags=("TRANSLATORS:",),
    ):  # fmt: skip
        if message:
            catalog.add(message, locations=[(f"kube_cli/{filename}", lineno)], auto_comments=comments,
                        context=context, flags=_flags(message))  # fmt: skip
    for text, where in i18n.tree_texts(_command_tree()):
        if text in catalog:
            catalog[text].auto_comments.append(where)
        else:
            catalog.add(text, auto_comments=[where], flags=_flags(text))
    return catalog


def _flags(message: str) -> tuple[str, ...]:
    return ("python-brace-format",) if _fields(message) else ()


def _fields(text: str) -> set[str]:
    try:
        return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
    except ValueError:
        return set()


def _write(catalog, path: Path) -> None:
    from babel.messages.pofile import write_po

    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, include_lineno=False, ignore_obsolete=True, sort_output=False)
    path.write_bytes(buffer.getvalue())


def _read(path: Path, locale: str | None = None):
    from babel.messages.pofile import read_po

    with path.open("rb") as f:
        return read_po(f, locale=locale)


def extract() -> int:
    catalog = template()
    _write(catalog, POT)
    print(f"{POT.relative_to(ROOT)}: {len(catalog)} messages")
    return 0


def update() -> int:
    """Extract, then merge into each language's .po; list what needs translating."""
    from babel.messages.catalog import Catalog

    tmpl = template()
    _write(tmpl, POT)
    for lang in LANGS:
        path = po_path(lang)
        catalog = _read(path, lang) if path.exists() else Catalog(locale=lang, project="kube", charset="utf-8")
        catalog.update(tmpl, no_fuzzy_matching=True, update_creation_date=False)
        catalog.obsolete.clear()
        catalog.fuzzy = False
        _write(catalog, path)
        todo = [m.id for m in catalog if m.id and (not m.string or m.fuzzy)]
        print(f"{path.relative_to(ROOT)}: {len(catalog)} messages, {len(todo)} to translate")
        for msgid in todo:
            print(f"  {msgid.splitlines()[0]!r}")
    return 0


def compile_catalogs() -> int:
    from babel.messages.mofile import write_mo

    for lang in LANGS:
        catalog = _read(po_path(lang), lang)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        mo_path(lang).write_bytes(buffer.getvalue())
        print(f"{mo_path(lang).relative_to(ROOT)}: compiled")
    return 0


def problems() -> list[str]:
    """Everything that keeps a language from being complete and current."""
    import gettext

    found: list[str] = []
    tmpl = template()
    wanted = {m.id for m in tmpl if m.id}
    for lang in LANGS:
        path = po_path(lang)
        if not path.exists():
            return [f"{path.relative_to(ROOT)}: missing; run `python tools/i18n_catalog.py update`"]
        catalog = _read(path, lang)
        have = {m.id: m for m in catalog if m.id}
        rel = path.relative_to(ROOT)
        for msgid in sorted(wanted - have.keys()):
            found.append(f"{rel}: not in the catalog yet (run update): {msgid.splitlines()[0]!r}")
        for msgid in sorted(have.keys() - wanted):
            found.append(f"{rel}: stale, no longer used (run update): {msgid.splitlines()[0]!r}")
        for msgid, message in have.items():
            if msgid not in wanted:
                continue
            if not message.string:
                found.append(f"{rel}: untranslated: {msgid.splitlines()[0]!r}")
            elif message.fuzzy:
                found.append(f"{rel}: fuzzy (check, then remove the flag): {msgid.splitlines()[0]!r}")
            elif _fields(message.string) != _fields(msgid):
                found.append(f"{rel}: placeholders differ from the English: {msgid.splitlines()[0]!r}")
        mo = mo_path(lang)
        if not mo.exists():
            found.append(f"{mo.relative_to(ROOT)}: missing; run compile")
        else:
            with mo.open("rb") as f:
                compiled = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
            current = {m.id: m.string for m in have.values() if m.string and not m.fuzzy}
            if {k: v for k, v in compiled.items() if k} != current:
                found.append(f"{mo.relative_to(ROOT)}: older than the .po; run compile")
    return found


def check() -> int:
    found = problems()
    for line in found:
        print(line)
    if found:
        print(f"{len(found)} problems: translate them, then `update` and `compile`", file=sys.stderr)
        return 1
    print("translations complete")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="i18n_catalog.py", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("action", choices=("extract", "update", "compile", "check"),
                        help="extract: write kube.pot; update: extract and merge into each .po; "
                             "compile: .po -> .mo; check: exit 1 when untranslated, fuzzy or stale")  # fmt: skip
    args = parser.parse_args(argv)
    actions = {"extract": extract, "update": update, "compile": compile_catalogs, "check": check}
    return actions[args.action]()


if __name__ == "__main__":
    sys.exit(main())
