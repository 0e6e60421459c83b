"""Text from outside (files, merged registries, arguments) made safe: one set of rules for all of it.

- ``UNSAFE`` finds the characters a text field refuses: control characters, and the invisible ones
  that change how text reads or hide in it (zero-width, bidi controls, U+061C, U+2060, the soft
  hyphen, tag characters, Hangul fillers) and lone surrogates (bytes that were not UTF-8).
- ``escaped`` shows such characters as ``\\x1b``, ``\\u2060``: a value echoed back stays one line
  and cannot drive the terminal.
- ``mask_digit_runs`` masks every run of digits long enough to be a NIK, No. KK or phone number,
  however it arrived (``7,27108450685001E+15``, ``72.71.08.450685.0001``).
- ``message_line`` is the two together, with long values cut: what every message on stderr goes
  through.
- ``neutralise`` keeps a spreadsheet from running a cell as a formula (CSV and XLSX alike).

Nothing here imports the rest of kube, so ``errors`` and ``vocab`` can both use it.
"""

from __future__ import annotations

import re
from typing import Any

# Cc, Cf (every format character of Unicode 15), Cs, Zl, Zp, and invisible letters and marks.
# tests/test_safetext.py checks the class against Python's unicodedata.
UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f"  # C0 and C1 controls, tab and newline included
    "\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"  # soft hyphen, CGJ, Arabic marks
    "\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"  # fillers, zero-width, bidi
    "\u3164\ufeff\uffa0\ufff9-\ufffb"  # Hangul filler, BOM, interlinear annotations
    "\ud800-\udfff"  # lone surrogates: bytes that were not UTF-8 (surrogateescape)
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
    "\U000e0000-\U000e007f]"  # tag characters
)

# Digits with at most one separator between them: a NIK typed with dots or spaces, or one that a
# spreadsheet turned into 7,27108450685001E+15.
_DIGIT_RUN = re.compile(r"\d(?:[., ]?\d)+")
# Not personal numbers: a Rupiah amount (1.500.000.000) and a Kemendagri region code (72.71.06.1001).
_NOT_PERSONAL = re.compile(r"\d{1,3}(?:\.\d{3})+|\d\d\.\d\d\.\d\d\.\d{4}")
MASK_FROM = 10  # digits: a phone number (0812 345 678) is the shortest personal number kube keeps
MAX_SHOWN = 300  # characters of a refused value echoed whole (a long path); a longer one is cut
CUT_TO = 60

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def has_unsafe(text: str) -> bool:
    return UNSAFE.search(text) is not None


_SURROGATE = re.compile("[\ud800-\udfff]")


def undecodable(texts: list[str]) -> str | None:
    """The first of ``texts`` that held bytes that are not UTF-8 (Python keeps them as lone surrogates,
    which nothing downstream can store or print), or ``None``."""
    return next((t for t in texts if _SURROGATE.search(t)), None)


def escaped(text: str) -> str:
    """``text`` with every unsafe character written as its escape (``\\x1b``, ``\\u2060``)."""
    if not UNSAFE.search(text):
        return text
    return UNSAFE.sub(lambda m: _escape(m[0]), text)


def _escape(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8: show the byte
        return f"\\x{code - 0xDC00:02x}"
    if code < 0x100:
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(char, f"\\x{code:02x}")
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def mask_number(digits: str) -> str:
    """First 6 and last 4 digits of a NIK-long number (``727105******0001``); a shorter one keeps its
    last 4 (``******5678``)."""
    if len(digits) < 12:
        return "*" * (len(digits) - 4) + digits[-4:]
    return digits[:6] + "*" * (len(digits) - 10) + digits[-4:]


def mask_digit_runs(text: str) -> str:
    """Every run of ``MASK_FROM`` or more digits masked; Rupiah amounts and region codes kept."""

    def mask(match: re.Match[str]) -> str:
        run = match[0]
        digits = re.sub(r"\D", "", run)
        if len(digits) < MASK_FROM or _NOT_PERSONAL.fullmatch(run):
            return run
        return mask_number(digits)

    return _DIGIT_RUN.sub(mask, text) if any(c.isdigit() for c in text) else text


def shown_value(value: str) -> str:
    """A refused value as a message echoes it: digit runs masked, unsafe characters escaped, and a
    value longer than ``MAX_SHOWN`` (a 130,000-digit amount) cut to its first ``CUT_TO`` characters."""
    if len(value) > MAX_SHOWN:
        value = value[: 2 * MAX_SHOWN]  # mask what is shown, not all of it
    text = escaped(mask_digit_runs(value))
    return text if len(text) <= MAX_SHOWN else text[:CUT_TO] + "…"


def message_line(text: str) -> str:
    """Any text for one line of a message on the terminal: digit runs masked, unsafe characters escaped."""
    return escaped(mask_digit_runs(text))


def neutralise(value: Any) -> Any:
    """A text cell that starts like a formula gets a leading ``'`` (OWASP CSV injection); import takes
    it off again."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value
