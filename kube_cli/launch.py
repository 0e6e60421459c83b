"""The ``kube`` console script: ``kube --help`` from a cache when nothing that shapes it has changed.

Rendering the root help means importing typer, rich and its help machinery and laying out every
command: most of ``kube --help``'s time. The text depends only on kube's own files, the installed
typer, rich and Python, the language, and the terminal (which streams are terminals, their sizes,
the variables rich and typer read). All of that is the cache key, written in full at the top of the
cached file and compared on every read, so the help shown is always the one kube would render now.
Anything else, or any doubt, runs the CLI as usual (``kube_cli.cli.main``).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
# what rich and typer read from the environment to decide colours, width, markup and help texts
ENV_EXACT = ("TERM", "COLORTERM", "NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS", "LINES",
             "JUPYTER_COLUMNS", "JUPYTER_LINES", "CLICOLOR", "CLICOLOR_FORCE", "PYTHONIOENCODING", "PYTHONUTF8",
             "KUBE_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LC_CTYPE", "LANG")  # fmt: skip
ENV_PREFIXES = ("TYPER_", "_TYPER_", "RICH_", "_KUBE_")
HELP_ARGS = ({"--help"}, {"-h"})


def root_help(argv: list[str]) -> bool:
    """``kube --help`` / ``kube -h``, with at most ``--lang X``: the request the cache answers."""
    rest = list(argv)
    for i, arg in enumerate(rest):
        if arg == "--lang" and i + 1 < len(rest):
            del rest[i : i + 2]
            break
        if arg.startswith("--lang="):
            del rest[i]
            break
    return set(rest) in HELP_ARGS and len(rest) == 1


def _files(folder: Path, pattern: str) -> list[str]:
    return [f"{p.relative_to(folder)}:{p.stat().st_mtime_ns}:{p.stat().st_size}" for p in sorted(folder.glob(pattern))]


def _package(name: str) -> Path | None:
    from importlib.util import find_spec

    spec = find_spec(name)
    return Path(spec.origin).parent if spec is not None and spec.origin else None


def cache_key(argv: list[str], package: Path = PACKAGE) -> str:
    """Everything the root help's text depends on, as one line."""
    from kube_cli import __version__, i18n

    parts = [f"kube {__version__}", sys.version, sys.executable, sys.platform,
             f"lang={i18n.language_from_argv(argv) or i18n.language_from_env()}", f"argv={argv}"]  # fmt: skip
    parts += _files(package, "*.py") + _files(package, "locale/*/LC_MESSAGES/*.mo")
    for dependency, pattern in (("typer", "**/*.py"), ("rich", "*.py")):
        folder = _package(dependency)
        parts += [f"{dependency}@{folder}", *(_files(folder, pattern) if folder else [])]
    parts += [f"{k}={v}" for k, v in sorted(os.environ.items()) if k in ENV_EXACT or k.startswith(ENV_PREFIXES)]
    for fd in (0, 1, 2):
        try:
            size = tuple(os.get_terminal_size(fd)) if os.isatty(fd) else None
        except OSError:
            size = None
        parts.append(f"fd{fd}={os.isatty(fd)}:{size}")
    parts.append(f"encoding={getattr(sys.stdout, 'encoding', None)}")
    return "\x1f".join(parts).replace("\n", "\\n")


def cache_dir() -> Path:
    if folder := os.environ.get("KUBE_CACHE_DIR"):
        return Path(folder)
    home = Path.home()
    if sys.platform == "win32":
        return Path(os.environ.get("LOCALAPPDATA") or home / "AppData" / "Local") / "kube" / "Cache"
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "kube"
    return Path(os.environ.get("XDG_CACHE_HOME") or home / ".cache") / "kube"


def _cache_file(key: str) -> Path:
    import hashlib

    return cache_dir() / f"help-{hashlib.sha256(key.encode()).hexdigest()[:32]}.txt"


def read(key: str) -> str | None:
    try:
        text = _cache_file(key).read_text(encoding="utf-8")
    except (OSError, UnicodeError):
        return None
    first, _, body = text.partition("\n")
    return body if first == key else None  # the whole key, compared: never another terminal's or version's help


def write(key: str, body: str) -> None:
    path = _cache_file(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temp = path.with_name(f".{path.name}.{os.getpid()}")
        temp.write_text(f"{key}\n{body}", encoding="utf-8")
        os.replace(temp, path)
    except OSError:  # a read-only home: no cache, the help as usual
        pass


class _Tee:
    """stdout as it is, remembering the text written to it. Whatever goes around it (its binary
    ``buffer``, as click does on a misconfigured locale) makes the capture doubtful: not cached."""

    def __init__(self, stream: object) -> None:
        self._stream, self.written, self.whole = stream, [], True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError("write() argument must be str")  # as a text stream says (click probes it)
        self.written.append(text)
        return self._stream.write(text)  # type: ignore[attr-defined]

    @property
    def buffer(self) -> object:
        self.whole = False
        return self._stream.buffer  # type: ignore[attr-defined]

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


def main() -> None:
    argv = sys.argv[1:]
    key = None
    if root_help(argv) and not os.environ.get("KUBE_NO_HELP_CACHE"):
        try:
            key = cache_key(argv)
        except (OSError, ValueError):
            key = None
        if key is not None and (body := read(key)) is not None:
            sys.stdout.write(body)
            sys.stdout.flush()
            return
    from kube_cli.cli import main as run

    if key is None:
        run()
        return
    tee = _Tee(sys.stdout)
    sys.stdout = tee  # type: ignore[assignment]
    code: object = 0
    try:
        run()
    except SystemExit as done:
        code = done.code
        raise
    finally:
        tee.flush()
        sys.stdout = tee._stream  # type: ignore[assignment]
        if code in (0, None) and tee.whole and tee.written:
            write(key, "".join(tee.written))
