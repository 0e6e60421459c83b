"""Translation of user-facing strings.

Every message meant for a person goes through ``_()`` so that gettext's tools can extract it.
The catalog is loaded on first use, so a command that prints nothing translated pays nothing.
"""

from __future__ import annotations

import gettext
import os
from functools import cache
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "kube"


def current_language() -> str:
    """The interface language: ``KUBE_LANG``, else the system locale, else English."""
    lang = os.environ.get("KUBE_LANG", "").strip().lower()
    if lang:
        return lang.split("_")[0]
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "id" if value.lower().startswith(("id", "in_")) else "en"
    return "en"


@cache
def _translation(lang: str) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def _(message: str) -> str:
    """Translate ``message`` into the current interface language."""
    return _translation(current_language()).gettext(message)
