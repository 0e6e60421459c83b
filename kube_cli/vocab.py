"""Pure parsers for the values officers type: amounts, NIK, dates, periods, roles, names.

Each parser takes the text as typed and returns the canonical value, or raises ``KubeError``
naming the field, the value and what is wrong. Nothing here touches the registry.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date

from kube_cli.errors import KubeError
from kube_cli.i18n import _
from kube_cli.safetext import UNSAFE, mask_number, undecodable

# Kemendagri codes of the 38 current provinces (digits 1-2 of a NIK).
PROVINCES = frozenset(
    "11 12 13 14 15 16 17 18 19 21 31 32 33 34 35 36 51 52 53 61 62 63 64 65 "
    "71 72 73 74 75 76 81 82 91 92 93 94 95 96".split()
)
ROLES = ("ketua", "sekretaris", "bendahara", "anggota")
AID_KINDS = ("peralatan", "modal", "pelatihan", "lainnya")
STATUSES = ("aktif", "nonaktif")
FIRST_YEAR = 1990  # the KUBE programme is younger than this

_SPACES = re.compile(r"\s+")


# --- text -----------------------------------------------------------------------------------


def clean_text(text: str | None, field: str, *, required: bool = True, max_len: int = 200) -> str:
    """Trim ``text``; refuse control and invisible characters (``safetext.UNSAFE``: escapes, zero-width
    and bidi controls, tag characters, bytes that were not UTF-8), empty required values and overlong
    ones. Every text field from a command, a file or a merged registry comes through here."""
    value = (text or "").strip()
    if UNSAFE.search(value):  # the message echoes the value escaped, cut and with digit runs masked
        if undecodable([value]):
            raise KubeError(field, value, _("is not UTF-8 text"), _("type it again, or save the file as UTF-8"))
        raise KubeError(field, value, _("contains control characters"))
    if required and not value:
        raise KubeError(field, value, _("must not be empty"))
    if len(value) > max_len:
        raise KubeError(
            field, value[:20] + "…", _("is too long ({n} characters, at most {max})").format(n=len(value), max=max_len)
        )
    return value


NAME_MAX = 255  # bytes in one file or folder name (ext4, NTFS, APFS); a path longer is refused as data


def check_path(path: str, field: str) -> str:
    """A file path as typed, refused when a part of it is longer than a file system allows."""
    import os

    for part in path.replace(os.sep, "/").split("/"):
        if len(os.fsencode(part)) > NAME_MAX:
            raise KubeError(field, path, _("has a name of {n} bytes; a file name has at most {max}").format(
                n=len(os.fsencode(part)), max=NAME_MAX))  # fmt: skip
    return path


def name_key(text: str) -> str:
    """The key names are matched by: case, accents, spaces, dashes and dots ignored."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = re.sub(r"[\s\-_.'’`]+", "", folded)
    return folded


def closest(query: str, names: Iterable[str], n: int = 3) -> list[str]:
    """The known names nearest to ``query``, best first (for "did you mean …?")."""
    import difflib  # only when something was mistyped: not on every start-up

    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(name_key(name), name)
    keys = difflib.get_close_matches(name_key(query), list(by_key), n=n, cutoff=0.6)
    return [by_key[k] for k in keys]


def did_you_mean(suggestions: list[str]) -> str:
    if not suggestions:
        return ""
    quoted = ", ".join(f"'{s}'" for s in suggestions)
    return _("did you mean {names}?").format(names=quoted)


# --- money ----------------------------------------------------------------------------------

_MULTIPLIERS = {
    "rb": 1_000, "ribu": 1_000, "k": 1_000,
    "jt": 1_000_000, "juta": 1_000_000,
    "m": 1_000_000_000, "miliar": 1_000_000_000, "milyar": 1_000_000_000,
    "t": 1_000_000_000_000, "triliun": 1_000_000_000_000,
}  # fmt: skip
_AMOUNT = re.compile(
    r"^(?:rp\.?)?\s*(?P<number>\d[\d.,\s]*?)\s*(?P<unit>rb|ribu|k|jt|juta|m|miliar|milyar|t|triliun)?\.?$"
)
_GROUPED_DOTS = re.compile(r"^[1-9]\d{0,2}(?:\.\d{3})+$")  # "0.001" is a decimal, not grouping
_GROUPED_COMMAS = re.compile(r"^\d{1,3}(?:,\d{3})+$")
_NO_CENTS = re.compile(r"\s*[,.]\s*-+$")
MAX_AMOUNT = 10**15  # a quadrillion Rupiah: far beyond any KUBE, small enough for SQLite


def parse_amount(text: str, field: str = "amount") -> int:
    """Whole Rupiah from ``25000000``, ``Rp25.000.000``, ``Rp 25.000.000,00``, ``25 juta``,
    ``1,5 juta``, ``750rb``, ``1 M`` … Zero, negative and unparseable amounts are refused."""
    raw = str(text)
    value = raw.strip().lower()
    if len(value) > 64:  # no amount is written this long; int() of 130,000 digits would fail outright
        raise KubeError(field, raw.strip(), _("is not an amount"), _("write it like 25000000, 25.000.000 or 25 juta"))
    if value.startswith("-"):
        raise KubeError(field, raw.strip(), _("must be more than zero"))
    if value.endswith("-"):  # "Rp. 20.000.000,-": the dash says "no sen", as on a receipt
        value = _NO_CENTS.sub("", value)
    match = _AMOUNT.match(value)
    if not match:
        raise KubeError(field, raw.strip(), _("is not an amount"), _("write it like 25000000, 25.000.000 or 25 juta"))
    number, unit = match["number"].replace(" ", ""), match["unit"]
    if unit == "m" and raw.strip().rstrip(".").endswith("m"):  # "1m": a million to some, a milliard to others
        raise KubeError(field, raw.strip(), _("is ambiguous: 'm' may mean juta or miliar"),
                        _("write 1 juta, 1 miliar or 1 M"))  # fmt: skip
    amount = _scaled(number, _MULTIPLIERS[unit] if unit else 1)
    if amount is None:
        raise KubeError(
            field, raw.strip(), _("is not a whole number of Rupiah"),
            _("write it like 25000000, 25.000.000 or 25 juta"),
        )  # fmt: skip
    if amount <= 0:
        raise KubeError(field, raw.strip(), _("must be more than zero"))
    if amount > MAX_AMOUNT:
        raise KubeError(field, raw.strip(), _("is implausibly large"))
    return amount


def _scaled(number: str, multiplier: int) -> int | None:
    """Read Indonesian number writing: ``.`` groups thousands, ``,`` marks decimals."""
    if _GROUPED_DOTS.match(number):
        whole, frac = number.replace(".", ""), ""
    elif number.count(",") == 1 and re.fullmatch(r"[\d.]+,\d+", number):
        whole, frac = number.split(",")
        if "." in whole:
            if not _GROUPED_DOTS.match(whole):
                return None
            whole = whole.replace(".", "")
    elif _GROUPED_COMMAS.match(number) and multiplier == 1:
        whole, frac = number.replace(",", ""), ""  # 25,000,000 as English spreadsheets write it
    elif number.count(".") == 1 and multiplier > 1 and re.fullmatch(r"\d+\.\d+", number):
        whole, frac = number.split(".")  # "1.5 juta"
    elif number.isdigit():
        whole, frac = number, ""
    else:
        return None
    scale = 10 ** len(frac)
    total = (int(whole) * scale + (int(frac) if frac else 0)) * multiplier
    if total % scale:
        return None  # fractions of a Rupiah
    return total // scale


def format_rupiah(amount: int) -> str:
    """``Rp25.000.000``: how Rupiah are written on every table and message."""
    return "Rp" + f"{amount:,}".replace(",", ".")


# --- NIK ------------------------------------------------------------------------------------


def mask_nik(nik: str) -> str:
    """First 6 and last 4 characters: ``727105******0001``; anything too short to mask so shows only
    stars. Wrong NIKs (15 digits, letters) are masked the same way, so an error never shows one whole."""
    nik = str(nik)  # a NIK from a damaged or hand-edited file may be anything
    if len(nik) < 12:
        return "*" * len(nik)
    return mask_number(nik)


_MASKED = re.compile(r"^\d{6}\*{6}\d{4}$")
_NIK_SEPARATORS = re.compile(r"[\s.\-\u00a0]+")


def parse_nik(text: str, field: str = "nik") -> str:
    """A NIK as 16 digits of text, its province, month and day checked."""
    digits = str(text).strip()
    # str.isdigit() also takes '²' and '٣', hence isascii(); 16 plain digits, the common case, skip the rest
    if not (len(digits) == 16 and digits.isascii() and digits.isdigit()):
        digits = _NIK_SEPARATORS.sub("", digits.lstrip("'‘’`"))  # '7271… is how web apps keep Excel off it
        if _MASKED.match(digits):
            raise KubeError(field, digits, _("is masked, so it cannot be read back"),
                            _("export with --show-nik to get NIKs that import again"))  # fmt: skip
        if not (digits.isascii() and digits.isdigit()):
            raise KubeError(field, mask_nik(digits), _("must be 16 digits, without letters or other signs"))
        if len(digits) != 16:
            raise KubeError(field, mask_nik(digits), _("length: has {n} digits, a NIK has 16").format(n=len(digits)))
    if digits[:2] not in PROVINCES:
        raise KubeError(field, mask_nik(digits), _("province: {code} is not a province code").format(code=digits[:2]))
    day, month = int(digits[6:8]), int(digits[8:10])
    # the month and day are digits 7-10, inside the mask: the message names them, never shows them
    if not 1 <= month <= 12:
        raise KubeError(field, mask_nik(digits), _("month: digits 9-10 are not a month (01-12)"))
    if not (1 <= day <= 31 or 41 <= day <= 71):
        raise KubeError(field, mask_nik(digits), _("day: digits 7-8 are not a birth day (01-31, or 41-71 for women)"))
    return digits


WOMEN_DAY = 40  # a woman's NIK carries her birth day plus 40 (41-71)


def nik_gender(nik: str) -> str:
    """``P`` when the NIK's day carries the +40 for women, else ``L``."""
    return "P" if int(nik[6:8]) > WOMEN_DAY else "L"


def nik_day_sql(nik: str) -> str:
    """SQL of the NIK's day digits as a number (a woman's with her +40), for rules checked in SQL."""
    return f"CAST(substr({nik}, 7, 2) AS INTEGER)"


def nik_gender_sql(nik: str) -> str:
    """``nik_gender`` in SQL, for imports that stage thousands of NIKs."""
    return f"CASE WHEN {nik_day_sql(nik)} > {WOMEN_DAY} THEN 'P' ELSE 'L' END"


# --- small vocabularies ---------------------------------------------------------------------

_GENDERS = {
    "l": "L", "lk": "L", "laki": "L", "lakilaki": "L", "pria": "L", "m": "L", "male": "L",
    "p": "P", "pr": "P", "perempuan": "P", "wanita": "P", "f": "P", "female": "P", "w": "P",
}  # fmt: skip
_BOOLS = {
    "ya": True, "y": True, "yes": True, "1": True, "true": True, "benar": True,
    "tidak": False, "t": False, "n": False, "no": False, "0": False, "false": False,
    "bukan": False, "tdk": False,
    "sudah": True, "belum": False, "v": True, "x": False, "✓": True, "√": True, "✔": True,
}  # fmt: skip
_STATUSES = {"aktif": "aktif", "nonaktif": "nonaktif", "tidakaktif": "nonaktif", "non": "nonaktif",
             "active": "aktif", "inactive": "nonaktif"}  # fmt: skip


def _choice(text: str, field: str, choices: tuple[str, ...]) -> str:
    value = str(text).strip().lower()
    if value in choices:
        return value
    options = ", ".join(choices)
    raise KubeError(field, str(text).strip(), _("must be one of: {options}").format(options=options))


def parse_role(text: str, field: str = "role") -> str:
    return _choice(text, field, ROLES)


def parse_aid_kind(text: str, field: str = "kind") -> str:
    return _choice(text, field, AID_KINDS)


def parse_status(text: str, field: str = "status") -> str:
    """``aktif`` or ``nonaktif``; also ``non-aktif``, ``tidak aktif``."""
    found = _STATUSES.get(name_key(str(text)))
    return found if found else _choice(text, field, STATUSES)


def parse_gender(text: str, field: str = "gender") -> str:
    value = name_key(str(text))
    if value in _GENDERS:
        return _GENDERS[value]
    raise KubeError(field, str(text).strip(), _("must be L (laki-laki) or P (perempuan)"))


def parse_bool(text: str, field: str = "pkh_graduate") -> bool:
    value = str(text).strip().lower()
    if value in _BOOLS:
        return _BOOLS[value]
    raise KubeError(field, str(text).strip(), _("must be ya or tidak (yes/no, 1/0, true/false)"))


# --- dates, periods, years --------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_DMY = re.compile(r"^(\d{1,2})([/\-.])(\d{1,2})\2(\d{4}|\d{2})$")
_NAMED = re.compile(r"^(\d{1,2})[\s\-]+([a-z]+)\.?[\s\-]+(\d{4})$")
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")
_MONTH_YEAR = re.compile(r"^(\d{1,2})[/\-.](\d{4})$")
_NAMED_PERIOD = re.compile(r"^([a-z]+)\.?[\s\-]+(\d{4})$")
# Month names as officers write them, Indonesian and English, whole or cut to three letters.
MONTHS = {
    **{name: n for n, name in enumerate(("januari", "februari", "maret", "april", "mei", "juni", "juli", "agustus",
                                         "september", "oktober", "november", "desember"), start=1)},
    **{name: n for n, name in enumerate(("january", "february", "march", "april", "may", "june", "july", "august",
                                         "september", "october", "november", "december"), start=1)},
    **{name: n for n, name in enumerate(("jan", "feb", "mar", "apr", "mei", "jun", "jul", "agu", "sep", "okt", "nov",
                                         "des"), start=1)},
    "may": 5, "aug": 8, "agt": 8, "ags": 8, "oct": 10, "dec": 12, "sept": 9, "pebruari": 2, "nopember": 11,
}  # fmt: skip


def month_number(text: str) -> int | None:
    """``Februari``, ``Feb``, ``february`` → 2; anything else → None."""
    return MONTHS.get(str(text).strip().rstrip(".").lower())


def parse_date(text: str, field: str = "date") -> str:
    """``YYYY-MM-DD``, ``DD/MM/YYYY``, ``DD-MM-YYYY``, ``D/M/YY`` (20YY), ``15 Juni 2021`` or
    ``15 Jun 2021`` → ``YYYY-MM-DD``."""
    value = str(text).strip()
    lowered = value.lower()
    if match := _ISO.match(value):
        year, month, day = (int(g) for g in match.groups())
    elif match := _DMY.match(value):
        day, month, year = int(match[1]), int(match[3]), int(match[4])
        if len(match[4]) == 2:
            year += 2000
    elif (match := _NAMED.match(lowered)) and month_number(match[2]):
        day, month, year = int(match[1]), month_number(match[2]) or 0, int(match[3])
    else:
        raise KubeError(field, value, _("is not a date"),
                        _("write it as YYYY-MM-DD, DD/MM/YYYY or 15 Juni 2021"))  # fmt: skip
    try:
        parsed = date(year, month, day)
    except ValueError:
        raise KubeError(field, value, _("is not a date on the calendar")) from None
    _check_year(parsed.year, field, value)
    return parsed.isoformat()


def parse_period(text: str, field: str = "period") -> str:
    """``YYYY`` (a year) or ``YYYY-MM`` (a month); also ``MM/YYYY``, ``Februari 2022``, ``Feb 2022``."""
    value = str(text).strip()
    match = _PERIOD.match(value)
    if match:
        year, month_text = int(match[1]), match[2]
    elif match := _MONTH_YEAR.match(value):
        year, month_text = int(match[2]), match[1]
    elif (match := _NAMED_PERIOD.match(value.lower())) and month_number(match[1]):
        year, month_text = int(match[2]), str(month_number(match[1]))
    else:
        raise KubeError(field, value, _("is not a period"),
                        _("write a year (2021) or a month (2021-03, 03/2021, Maret 2021)"))  # fmt: skip
    _check_year(year, field, value)
    if month_text is None:
        return f"{year:04d}"
    month = int(month_text)
    if not 1 <= month <= 12:
        raise KubeError(field, value, _("month: {month} is not a month").format(month=month_text))
    return f"{year:04d}-{month:02d}"


def parse_year(text: str | int, field: str = "year") -> int:
    value = str(text).strip()
    if value.endswith(".0"):  # spreadsheets hand years over as floats
        value = value[:-2]
    if not re.fullmatch(r"\d{4}", value):
        try:  # a year also as a date: its year
            return int(parse_date(value, field)[:4])
        except KubeError:
            pass
        raise KubeError(field, value, _("is not a year"), _("write four digits, like 2021"))
    year = int(value)
    _check_year(year, field, value)
    return year


def _check_year(year: int, field: str, value: str) -> None:
    last = date.today().year + 1
    if not FIRST_YEAR <= year <= last:
        raise KubeError(
            field, value, _("year {year} is outside {first}-{last}").format(year=year, first=FIRST_YEAR, last=last)
        )


def period_year(period: str) -> int:
    return int(period[:4])


# --- No. KK, phone, desil, stage, business ------------------------------------------------------

STAGES = ("penumbuhan", "pengembangan", "mandiri")  # Permensos 2/2019: a KUBE grows through these
BUSINESS_STATES = ("running", "stalled", "stopped")
_BUSINESS_WORDS = {
    **dict.fromkeys(("running", "berjalan", "jalan", "aktif", "lancar"), "running"),
    **dict.fromkeys(("stalled", "macet", "tersendat", "kurang lancar", "kuranglancar"), "stalled"),
    **dict.fromkeys(("stopped", "berhenti", "tutup", "mati", "bubar"), "stopped"),
}
_PHONE_SIGNS = re.compile(r"[\s\-.()/]")


def _id_digits(text: str) -> str:
    """An ID number as officers write it: spaces and dots taken out, a leading apostrophe (how web
    apps keep Excel from rounding) dropped."""
    return str(text).strip().lstrip("'").replace(" ", "").replace(".", "")


def parse_kk(text: str, field: str = "kk") -> str:
    """A No. KK (Kartu Keluarga): 16 digits, the province code (digits 1-2) a current province."""
    digits = _id_digits(text)
    if _MASKED.match(digits):
        raise KubeError(field, digits, _("is masked, so it cannot be read back"),
                        _("export with --show-nik to get numbers that import again"))  # fmt: skip
    if not (digits.isascii() and digits.isdigit()):
        raise KubeError(field, mask_nik(digits), _("must be 16 digits, without letters or other signs"))
    if len(digits) != 16:
        raise KubeError(field, mask_nik(digits), _("length: has {n} digits, a No. KK has 16").format(n=len(digits)))
    if digits[:2] not in PROVINCES:
        raise KubeError(field, mask_nik(digits), _("province: {code} is not a province code").format(code=digits[:2]))
    return digits


def mask_phone(phone: str) -> str:
    """``+62******0001``: the country code and the last 4 digits, never the length."""
    return "+62" + "*" * 6 + phone[-4:] if len(phone) > 7 else "*" * len(phone)


def parse_phone(text: str, field: str = "phone") -> str:
    """An Indonesian phone number (``0812…``, ``+62 812…``, ``62812…``), stored as ``+62812…``."""
    raw = str(text).strip().lstrip("'")
    value = _PHONE_SIGNS.sub("", raw)
    if "*" in value:
        raise KubeError(field, value, _("is masked, so it cannot be read back"),
                        _("export with --show-nik to get numbers that import again"))  # fmt: skip
    for prefix in ("+62", "0062", "62", "0"):
        if value.startswith(prefix):
            national = value[len(prefix) :]
            break
    else:
        national = ""
    shown = value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)
    if not (national.isascii() and national.isdigit()) or national.startswith("0"):
        raise KubeError(field, shown, _("is not an Indonesian phone number"),
                        _("write it like 0812 3456 7890 or +62 812 3456 7890"))  # fmt: skip
    if not 8 <= len(national) <= 12:
        raise KubeError(field, shown, _("length: {n} digits after 0 or +62, an Indonesian number has 8 to 12").format(
            n=len(national)))  # fmt: skip
    return "+62" + national


def parse_desil(text: str | int, field: str = "desil") -> int:
    """The DTSEN welfare decile, 1 (poorest) to 10."""
    value = str(text).strip()
    if value.endswith(".0"):  # spreadsheets hand numbers over as floats
        value = value[:-2]
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 10:
        raise KubeError(field, value, _("must be a DTSEN decile, 1 to 10"))
    return int(value)


def _choice_or_suggest(text: str, field: str, choices: tuple[str, ...], words: dict[str, str] | None = None) -> str:
    """One of ``choices`` (or a word ``words`` maps to one); else refused with the nearest choice."""
    words = words or {}
    value = str(text).strip()
    key = " ".join(value.lower().split())
    if key in words:
        return words[key]
    if key in choices:
        return key
    near = closest(value, [*choices, *words], n=1)
    hint = did_you_mean([words.get(near[0], near[0])]) if near else ""
    raise KubeError(field, value, _("must be one of: {options}").format(options=", ".join(choices)), hint)


def parse_stage(text: str, field: str = "stage") -> str:
    """A KUBE's stage: penumbuhan, pengembangan or mandiri."""
    return _choice_or_suggest(text, field, STAGES)


def parse_business(text: str, field: str = "business") -> str:
    """Whether a group's business runs, as a visit finds it: running, stalled or stopped (also in
    Indonesian: berjalan, macet, berhenti …)."""
    return _choice_or_suggest(text, field, BUSINESS_STATES, _BUSINESS_WORDS)


_CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,31}$")


def parse_code(text: str, field: str = "code") -> str:
    """A group's code (Kode KUBE): letters, digits and ``. _ / -``, at most 32."""
    value = clean_text(text, field, max_len=32)
    if not _CODE.match(value):
        raise KubeError(field, value, _("may hold only letters, digits and . _ / -"))
    return value


def parse_count(text: str | int, field: str = "members-present") -> int:
    """A whole number of members (``3``; a spreadsheet's ``3.0`` too)."""
    value = str(text).strip()
    if value.endswith(".0"):
        value = value[:-2]
    if not (value.isascii() and value.isdigit()):
        raise KubeError(field, value, _("is not a number of members"))
    return int(value)


def parse_past_date(text: str, field: str, today: date) -> str:
    """A date that is not after ``today`` (a visit is recorded on its day, or after)."""
    value = parse_date(text, field)
    if value > today.isoformat():
        raise KubeError(field, str(text).strip(), _("is in the future (today is {today})").format(
            today=today.isoformat()), _("record a visit on the day it was made, or after"))  # fmt: skip
    return value
