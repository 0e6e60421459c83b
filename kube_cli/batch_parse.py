"""How a batch file's cells become values: each column through the parser the single-record
commands use, remembered for the file where a column has few distinct values, and the look-ups of
kelurahan and usaha memoised."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from kube_cli.batch_headers import COLUMNS, ID_COLUMNS, NEUTRALISED, Mapping, cell_text
from kube_cli.batch_result import Problems
from kube_cli.batch_staging import GROUP_ROWS, MEMBER_ROWS, ROSTER_GROUP, Staged, kind_column
from kube_cli.batch_staging import KINDS as STAGED_KINDS
from kube_cli.db import Registry
from kube_cli.errors import KubeError
from kube_cli.i18n import _
from kube_cli.places import Kelurahan, Places, Usaha
from kube_cli.records import CODE_CELL, KELURAHAN, OPTIONAL, REQUIRED, USAHA, Cell

Parser = Callable[[str, str], Any]


class Reader:
    """Parses rows of one kind into staged tuples, with the look-ups memoised for the file."""

    def __init__(self, registry: Registry, mapping: Mapping, problems: Problems) -> None:
        self.places = Places(registry)
        self.mapping = mapping
        self.labels = mapping.labels
        self.problems = problems
        self._kelurahan: dict[tuple[str, str], Kelurahan | KubeError] = {}
        self._usaha: dict[str, Usaha | KubeError] = {}
        self._unknown_keys: set[str] = set()
        self._blank = dict.fromkeys(COLUMNS[mapping.kind], "")

    def cells(self, line: int, row: dict[str, Any]) -> dict[str, str] | None:
        """The row's cells by column, as text; ``None`` when a cell is refused."""
        texts = dict(self._blank)  # a column the file lacks reads as an empty cell
        ok = True
        for raw, column in self.mapping.by_header.items():
            value = row.get(raw)
            if type(value) is str:  # the common case, kept fast; a NIK of plain digits cannot be a number trap
                text = value.strip()
                if column not in ID_COLUMNS or text.isdigit():
                    texts[column] = text[1:] if text[:1] == "'" and NEUTRALISED.match(text) else text
                    continue
            try:
                texts[column] = cell_text(value, column, self.labels[column])
            except KubeError as error:
                self.problems.add(line, error.problem)
                ok = False
        return texts if ok else None

    def parse(self, line: int, texts: dict[str, str], parsers: dict[str, Callable[[str, str], Any]]) -> dict | None:
        """Each column through its parser; every refused value is one problem of this line."""
        values: dict[str, Any] = {}
        ok = True
        for column, parser in parsers.items():
            text = texts.get(column, "")
            try:
                values[column] = parser(text, self.labels[column])
            except KubeError as error:
                for problem in error.problems:
                    self.problems.add(line, problem)
                ok = False
        return values if ok else None

    # column parsers: (text, label) -> value; an empty optional cell is None

    def kelurahan(self, kelurahan: str, kecamatan: str) -> Kelurahan:
        key = (kelurahan, kecamatan)
        if key not in self._kelurahan:
            self._kelurahan[key] = self._find_kelurahan(kelurahan, kecamatan)
        found = self._kelurahan[key]
        if isinstance(found, KubeError):
            raise found
        return found

    def _find_kelurahan(self, kelurahan: str, kecamatan: str) -> Kelurahan | KubeError:
        label = self.labels["kelurahan"]
        try:
            place = self.places.kelurahan(kelurahan, label)
        except KubeError as error:
            if not kecamatan or "," in kelurahan:
                return error
            try:  # ambiguous alone: the kecamatan column may tell which one
                return self.places.kelurahan(f"{kelurahan}, {kecamatan}", label)
            except KubeError:
                return error
        if kecamatan and not same_place(kecamatan, place):
            return KubeError(self.labels["kecamatan"], kecamatan, _("is not the kecamatan of {kelurahan} ({kecamatan})")
                             .format(kelurahan=place.nama, kecamatan=place.kecamatan))  # fmt: skip
        return place

    def usaha(self, text: str, label: str) -> int:
        if text not in self._usaha:
            try:
                self._usaha[text] = self.places.usaha(text, label)
            except KubeError as error:
                self._usaha[text] = error
        found = self._usaha[text]
        if isinstance(found, KubeError):
            raise found
        return found.id


roster_group_key = operator.itemgetter(*ROSTER_GROUP)  # a roster row's group, as the file gives it


def same_place(kecamatan: str, place: Kelurahan) -> bool:
    from kube_cli.vocab import name_key

    return name_key(kecamatan) in (name_key(place.kecamatan), name_key(place.kecamatan_kode))


def optional(parser: Callable[[str, str], Any]) -> Callable[[str, str], Any]:
    return lambda text, label: parser(text, label) if text else None


MEMO_SIZE = 50_000


def memo(parser: Callable[[str, str], Any]) -> Callable[[str, str], Any]:
    """``parser`` remembering its answers (refusals too): a column of few distinct values is
    parsed once per value, not once per row."""
    cache: dict[tuple[str, str], tuple[Any, KubeError | None]] = {}

    def parse(text: str, label: str) -> Any:
        key = (text, label)
        hit = cache.get(key)
        if hit is None:
            try:
                hit = (parser(text, label), None)
            except KubeError as error:
                hit = (None, error)
            if len(cache) < MEMO_SIZE:
                cache[key] = hit
        if hit[1] is not None:
            raise KubeError.many(hit[1].problems)
        return hit[0]

    return parse


def required(parser: Callable[[str, str], Any]) -> Callable[[str, str], Any]:
    def parse(text: str, label: str) -> Any:
        if not text:
            raise KubeError(label, "", _("must not be empty"))
        return parser(text, label)

    return parse


def cell_parser(cell: Cell) -> Callable[[str, str], Any]:
    """A field's cell parser as the import calls it: an empty cell as the field says, remembered when few."""
    parse = {OPTIONAL: optional, REQUIRED: required}.get(cell.empty, lambda p: p)(cell.parse)
    return memo(parse) if cell.few else parse


def kind_parsers(kind: str, reader: Reader) -> tuple[dict[str, Parser], dict[str, Parser]]:
    """Each column of a ``kind`` of file with its parser, in the record's order after the group's code;
    for a roster, the member's columns, and apart its group's (parsed once for the rows that repeat them).
    A kelurahan is looked up with the kecamatan beside it (``Reader.kelurahan``)."""
    code = cell_parser(CODE_CELL)

    def of(staged: Staged) -> dict[str, Parser]:
        return {kind_column(kind, staged.record, f.name): reader.usaha if f.lookup == USAHA else cell_parser(f.cell)
                for f in staged.fields if f.lookup != KELURAHAN and (f.cell or f.lookup)}  # fmt: skip

    if kind == "roster":
        return of(MEMBER_ROWS), {"group_code": code, **of(GROUP_ROWS)}
    return {"code" if kind == "groups" else "group_code": code, **of(STAGED_KINDS[kind][0])}, {}
