"""The press briefing: the numbers reporters ask for, and a paragraph in Bahasa Indonesia.

Every number comes from the same report functions as ``kube report`` (``summary`` and
``omset_at_least``) for the same filters, so the paragraph and the JSON report always agree.
The paragraph is always Indonesian, whatever the interface language: it is written for a press
release. It names places and business types only, never a member (no names, no NIK).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from kube_cli import plausibility, reports
from kube_cli.db import Registry
from kube_cli.vocab import parse_amount

_UNITS = ((10**12, "triliun"), (10**9, "miliar"), (10**6, "juta"), (10**3, "ribu"))
_WORDS = ("nol", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "delapan", "sembilan")
MAX_NAMED_USAHA = 6  # the second rank of business types is named only while the list stays short
MAX_NAMED_OMSET = 3  # groups above the threshold named in the paragraph


def format_rupiah_press(amount: int) -> str:
    """Rupiah as a press release writes them: ``Rp1,54 miliar``, ``Rp25 juta``, ``Rp750 ribu``.

    At most two decimals (rounded half up), trailing zeros dropped, a comma as decimal mark.
    Amounts under a thousand are written whole: ``Rp500``.
    """
    value = Decimal(int(amount))
    if value < 0:
        return "-" + format_rupiah_press(-amount)
    for i, (size, unit) in enumerate(_UNITS):
        if value >= size:
            scaled = (value / size).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            if scaled >= 1000 and i > 0:  # 999,999 juta rounds up to 1 miliar
                size, unit = _UNITS[i - 1]
                scaled = (value / size).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            whole, _dot, frac = f"{scaled:f}".partition(".")
            frac = frac.rstrip("0")
            whole = f"{int(whole):,}".replace(",", ".")  # only past 999 triliun: Rp1.000 triliun
            return f"Rp{whole},{frac} {unit}" if frac else f"Rp{whole} {unit}"
    return f"Rp{amount}"


def _count_word(n: int) -> str:
    """A count that opens a sentence: words under ten, ``Sebanyak 46`` otherwise."""
    return _WORDS[n].capitalize() if n < 10 else f"Sebanyak {n}"


def _join(items: list[str], sep: str = ", ") -> str:
    """``A``, ``A dan B``, ``A, B, dan C`` (with ``sep`` between items)."""
    if len(items) <= 2:
        return " dan ".join(items)
    return sep.join(items[:-1]) + f"{sep}dan " + items[-1]


def _percent(part: int, whole: int) -> int:
    return int((Decimal(100 * part) / whole).quantize(Decimal("1"), rounding=ROUND_HALF_UP)) if whole else 0


def _subject(registry: Registry) -> tuple[str, str, bool]:
    """Who speaks (``Dinas Sosial Kota Palu``), the region's name, and whether it has only kelurahan."""
    code, name = registry.meta("wilayah", "72.71"), registry.region
    if code == "ID":
        return "Kementerian Sosial", name, False
    if "." not in code:
        return f"Dinas Sosial Provinsi {name}", name, False
    return f"Dinas Sosial {name}", name, name.startswith("Kota ")


def _top_usaha(by_usaha: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Business types by rank of group count: the first rank, and the second while the list is short."""
    ranks: list[list[dict[str, Any]]] = []
    for row in sorted(by_usaha, key=lambda r: (-r["groups"], r["usaha"].casefold())):
        if ranks and ranks[-1][0]["groups"] == row["groups"]:
            ranks[-1].append(row)
        elif len(ranks) < 2:
            ranks.append([row])
        else:
            break
    if len(ranks) == 2 and len(ranks[0]) + len(ranks[1]) > MAX_NAMED_USAHA:
        ranks.pop()
    return ranks


def gather(
    registry: Registry, year: str | None = None, kecamatan: str | None = None, omset_min: str | None = None
) -> dict[str, Any]:
    """The briefing's numbers for the filters, with the same keys and values as ``kube report``."""
    threshold_text = omset_min or reports.DEFAULT_OMSET_MIN
    parse_amount(threshold_text, "omset-min")  # refuse a bad amount before reading anything
    filters = reports.make_filters(registry, year, kecamatan)
    summary = reports.summary(registry, filters)
    omset_year, threshold, omset_rows = reports.omset_at_least(registry, filters, threshold_text)
    graduates, members = reports.pkh_graduates(registry, filters)
    from kube_cli import visits

    visited = visits.year_summary(registry, filters.year, filters.kecamatan_kode)
    speaker, scope, kota = _subject(registry)
    ranks = _top_usaha(summary["by_usaha"])
    return {
        **summary["totals"],
        "kecamatan": len({r["kecamatan"] for r in summary["by_kelurahan"]}),
        "usaha_types": len(summary["by_usaha"]),
        "top_usaha": [row for rank in ranks for row in rank],
        "pkh_graduates": graduates,
        "pkh_graduate_percent": _percent(graduates, members),
        "omset_min": threshold,
        "omset_year": omset_year,
        "omset_groups": len(omset_rows),
        "omset_top": [
            {k: row[k] for k in ("code", "usaha", "kelurahan", "kecamatan", "year", "revenue")}
            for row in omset_rows[:MAX_NAMED_OMSET]
        ],
        **visited,
        "filters": {"year": filters.year, "kecamatan": filters.kecamatan, "omset_min": threshold},
        "scope": scope,
        "_speaker": speaker,
        "_kota": kota,
        "_ranks": ranks,
    }


def paragraph(n: dict[str, Any]) -> str:
    """The numbers of ``gather`` as a short paragraph in Bahasa Indonesia."""
    year, kecamatan = n["filters"]["year"], n["filters"]["kecamatan"]
    kel_word = "kelurahan" if n["_kota"] else "kelurahan/desa"
    where = f" di Kecamatan {kecamatan}" if kecamatan else ""
    if not n["groups"]:
        when = f" hingga {year}" if year else ""
        return f"Belum ada Kelompok Usaha Bersama (KUBE) aktif yang tercatat{where}{when}."
    opening = f"Hingga {year}, {n['_speaker']}" if year else n["_speaker"]
    spread = f"{where}, tersebar di {n['kelurahan']} {kel_word}" if kecamatan else (
        f" di {n['kelurahan']} {kel_word} pada {n['kecamatan']} kecamatan"
    )  # fmt: skip
    sentences = [
        f"{opening} memfasilitasi {n['groups']} Kelompok Usaha Bersama (KUBE) aktif "
        f"dengan {n['members']} anggota{spread}."
    ]
    sentences.append(_usaha_sentence(n))
    sentences.append(_money_sentence(n["aid_total"], n["revenue_total"], year))
    if n["omset_year"] is not None and n["revenue_total"]:
        sentences.append(_omset_sentence(n, kel_word, show_kecamatan=not kecamatan))
    if n["members"]:
        if n["pkh_graduates"]:
            sentences.append(
                f"Sebanyak {n['pkh_graduate_percent']}% anggota ({n['pkh_graduates']} orang) "
                "telah graduasi dari Program Keluarga Harapan (PKH)."
            )
        else:
            sentences.append("Belum ada anggota yang tercatat telah graduasi dari Program Keluarga Harapan (PKH).")
    if n["visited_groups"]:
        sentences.append(_visit_sentence(n))
    return " ".join(sentences)


def _visit_sentence(n: dict[str, Any]) -> str:
    visited, running, year = n["visited_groups"], n["visited_running"], n["visits_year"]
    opening = f"Sepanjang {year}, pendamping mengunjungi {visited} kelompok"
    if running == visited:
        return f"{opening}; seluruhnya menjalankan usahanya pada kunjungan terakhir."
    if not running:
        return f"{opening}; tidak satu pun yang usahanya berjalan pada kunjungan terakhir."
    return f"{opening}; {running} di antaranya usahanya berjalan pada kunjungan terakhir."


def _usaha_sentence(n: dict[str, Any]) -> str:
    ranks = n["_ranks"]
    if n["usaha_types"] == 1:
        return f"Seluruh kelompok menjalankan usaha {ranks[0][0]['usaha']}."
    if ranks[0][0]["groups"] == 1:
        return f"Setiap kelompok menjalankan jenis usaha yang berbeda ({n['usaha_types']} jenis usaha)."

    def rank_text(rank: list[dict[str, Any]]) -> str:
        names = _join([r["usaha"] for r in rank])
        each = "masing-masing " if len(rank) > 1 else ""
        return f"{names} ({each}{rank[0]['groups']} kelompok)"

    text = f"Jenis usaha terbanyak adalah {rank_text(ranks[0])}"
    if len(ranks) > 1:
        text += f", disusul {rank_text(ranks[1])}"
    return text + "."


def _money_sentence(aid: int, revenue: int, year: int | None) -> str:
    when = f"sepanjang {year}" if year else ""
    if aid:
        lead = f"Sepanjang {year}, bantuan yang disalurkan" if year else "Total bantuan yang disalurkan"
        text = f"{lead} mencapai {format_rupiah_press(aid)}"
        if revenue:
            text += f", sementara omzet yang dilaporkan kelompok mencapai {format_rupiah_press(revenue)}"
        return text + "."
    none = f"Belum ada bantuan yang tercatat {when}".rstrip()
    if revenue:
        return f"{none}; omzet yang dilaporkan kelompok mencapai {format_rupiah_press(revenue)}."
    return f"Belum ada bantuan maupun omzet yang tercatat {when}".rstrip() + "."


def _omset_sentence(n: dict[str, Any], kel_word: str, *, show_kecamatan: bool) -> str:
    count, minimum, year = n["omset_groups"], format_rupiah_press(n["omset_min"]), n["omset_year"]
    if not count:
        return f"Belum ada kelompok yang mencatat omzet sedikitnya {minimum} pada {year}."

    def place(row: dict[str, Any]) -> str:
        kel = f"Kelurahan {row['kelurahan']}" if kel_word == "kelurahan" else row["kelurahan"]
        kec = f", Kecamatan {row['kecamatan']}" if show_kecamatan else ""
        return f"{row['usaha']} di {kel}{kec} ({format_rupiah_press(row['revenue'])})"

    named = [place(r) for r in n["omset_top"]]
    opening = f"{_count_word(count)} kelompok mencatat omzet sedikitnya {minimum} pada {year}"
    if count == 1:
        return f"{opening}, yaitu kelompok {named[0]}."
    if count <= MAX_NAMED_OMSET:
        return f"{opening}, yaitu {_join(named, '; ')}."
    return f"{opening}; {_WORDS[len(named)]} tertinggi adalah {_join(named, '; ')}."


def build(
    registry: Registry, year: str | None = None, kecamatan: str | None = None, omset_min: str | None = None
) -> dict[str, Any]:
    """``{"title", "paragraph", "numbers", "warnings"}`` for ``kube report briefing``."""
    numbers = gather(registry, year, kecamatan, omset_min)
    text = paragraph(numbers)
    title = f"Kilasan KUBE {numbers['scope']}"
    if numbers["filters"]["kecamatan"]:
        title += f", Kecamatan {numbers['filters']['kecamatan']}"
    if numbers["filters"]["year"]:
        title += f", hingga {numbers['filters']['year']}"
    public = {k: v for k, v in numbers.items() if not k.startswith("_")}
    return {"title": title, "paragraph": text, "numbers": public, "warnings": warnings(registry, year, kecamatan)}


def warnings(registry: Registry, year: str | None = None, kecamatan: str | None = None) -> list[plausibility.Finding]:
    """``kube check``'s warnings about money inside the briefing's totals (its groups, its year):
    an implausible amount or the same aid twice, so that none reaches the press unseen."""
    filters = reports.make_filters(registry, year, kecamatan)
    where, params = filters.group_where()
    return plausibility.money_findings(registry.conn, where, params, filters.year)
