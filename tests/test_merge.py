"""``kube merge``: officers' registries from different laptops become one, conflicts are refused."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import snapshot

NIK_1 = "7271085012909001"  # fictional: Palu, born 10/12/90, a woman (day + 40)
NIK_2 = "7271084507889002"
NIK_3 = "7271031203859003"

CONTENT_SQL = {
    "meta": "SELECT key, value FROM meta",
    "usaha": "SELECT uuid, name, builtin, created_at FROM usaha",
    "usaha_alias": "SELECT a.key, a.alias, u.uuid FROM usaha_alias a JOIN usaha u ON u.id = a.usaha_id",
    "groups": "SELECT g.uuid, g.code, g.name, g.kelurahan_kode, u.uuid, g.year, g.status, g.note, g.created_at, "
    "g.updated_at FROM groups g JOIN usaha u ON u.id = g.usaha_id",
    "members": "SELECT m.uuid, g.uuid, m.nik, m.name, m.role, m.gender, m.pkh_graduate, m.removed_at, m.created_at, "
    "m.updated_at FROM members m JOIN groups g ON g.id = m.group_id",
    "aid": "SELECT a.uuid, g.uuid, a.date, a.kind, a.amount, a.source, a.note, a.voided_at, a.void_reason, "
    "a.created_at, a.updated_at FROM aid a JOIN groups g ON g.id = a.group_id",
    "revenue": "SELECT r.uuid, g.uuid, r.period, r.year, r.amount, r.note, r.created_at, r.updated_at "
    "FROM revenue r JOIN groups g ON g.id = r.group_id",
}


def content(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The registry data, records named by UUID (integer ids differ between laptops)."""
    conn = sqlite3.connect(path)
    try:
        return {table: sorted(conn.execute(sql).fetchall(), key=repr) for table, sql in CONTENT_SQL.items()}
    finally:
        conn.close()


def audit(path: Path) -> list[tuple[str, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("SELECT uuid, time, officer, action, target FROM audit_log ORDER BY id").fetchall()
    finally:
        conn.close()


class Officer:
    """One officer on one laptop: ``kube --db LAPTOP.db --officer NAME ...``."""

    def __init__(self, kube, path: Path, name: str) -> None:
        self.kube, self.path, self.name = kube, path, name

    def __call__(self, *args: str, code: int = 0):
        return self.kube("--db", str(self.path), "--officer", self.name, *args, code=code)

    def merge(self, other: Officer, *extra: str, code: int = 0) -> dict[str, Any]:
        result = self("merge", str(other.path), *extra, "--format", "json", code=code)
        return json.loads(result.stdout) if code == 0 else result


@pytest.fixture(scope="module")
def fresh_laptop(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registry as `kube init` leaves it on a new laptop (made once: loading the regions takes a second)."""
    from typer.testing import CliRunner

    from kube_cli.cli import app

    path = tmp_path_factory.mktemp("laptop") / "kube.db"
    result = CliRunner().invoke(app, ["--db", str(path), "--officer", "setup", "init"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return path


def laptop(kube, template: Path, path: Path, name: str) -> Officer:
    shutil.copy(template, path)
    return Officer(kube, path, name)


@pytest.fixture
def andi(kube, tmp_path: Path, fresh_laptop: Path) -> Officer:
    officer = laptop(kube, fresh_laptop, tmp_path / "andi.db", "andi")
    officer("group", "add", "KUBE Mawar", "--kelurahan", "Lasoani", "--usaha", "e-warong", "--code", "MAWAR",
            "--year", "2021")  # fmt: skip
    officer("member", "add", "MAWAR", "--nik", NIK_1, "--name", "Siti Contoh", "--role", "ketua")
    officer("aid", "record", "MAWAR", "--amount", "15 juta", "--kind", "modal", "--date", "2021-05-01")
    return officer


@pytest.fixture
def budi(kube, tmp_path: Path, andi: Officer) -> Officer:
    """Budi took a copy of Andi's registry to the field, so they share the group MAWAR."""
    shutil.copy(andi.path, tmp_path / "budi.db")
    return Officer(kube, tmp_path / "budi.db", "budi")


def test_two_officers_merged_both_ways_hold_the_same_registry(andi: Officer, budi: Officer) -> None:
    budi("group", "add", "KUBE Melati", "--kelurahan", "Talise", "--usaha", "kuliner", "--code", "MELATI")
    budi("member", "add", "MELATI", "--nik", NIK_2, "--name", "Wati Contoh")
    budi("member", "add", "MAWAR", "--nik", NIK_3, "--name", "Rudi Contoh", "--gender", "L")
    budi("usaha", "add", "Pengolahan Kelor", "--alias", "kelor")
    budi("revenue", "record", "MELATI", "--amount", "3 juta", "--period", "2021")
    budi("aid", "void", "1", "--reason", "salah input")
    andi("group", "edit", "MAWAR", "--name", "KUBE Mawar Merah")
    andi("revenue", "record", "MAWAR", "--amount", "12 juta", "--period", "2021")

    budi_entries = {row for row in audit(budi.path) if row[2] == "budi"}
    first = andi.merge(budi)
    assert first["conflicts"] == 0 and first["added"] >= 4 and first["updated"] == 1  # the voided aid
    budi.merge(andi)

    assert content(andi.path) == content(budi.path)
    groups = {g["code"]: g for g in andi.kube.json("--db", str(budi.path), "group", "list")}
    assert groups["MAWAR"]["name"] == "KUBE Mawar Merah" and groups["MAWAR"]["members"] == 2
    assert groups["MELATI"]["usaha"] == "Kuliner"
    assert andi.kube.json("--db", str(andi.path), "aid", "list")[0]["void"] is True
    # the log keeps who did what, and when, on the laptop where it happened
    assert budi_entries and budi_entries <= set(audit(andi.path))
    assert {row[3] for row in audit(andi.path)} >= {"merge", "usaha.add", "aid.void"}


def test_merging_the_same_file_again_changes_nothing(andi: Officer, budi: Officer) -> None:
    budi("group", "add", "KUBE Melati", "--kelurahan", "Talise", "--usaha", "kuliner", "--code", "MELATI")
    andi.merge(budi)
    before = snapshot(andi.path)
    again = andi.merge(budi)
    assert (again["added"], again["updated"], again["audit_added"]) == (0, 0, 0)
    assert snapshot(andi.path) == before


def test_dry_run_counts_and_writes_nothing(andi: Officer, budi: Officer) -> None:
    budi("group", "add", "KUBE Melati", "--kelurahan", "Talise", "--usaha", "kuliner", "--code", "MELATI")
    before = snapshot(andi.path)
    result = andi("merge", str(budi.path), "--dry-run")
    assert "1 added" in result.stderr and "dry run" in result.stderr
    assert snapshot(andi.path) == before


def test_a_record_changed_on_both_sides_is_a_conflict_until_a_side_is_preferred(andi: Officer, budi: Officer) -> None:
    andi.merge(budi)  # they meet: both hold the same MAWAR
    andi("group", "edit", "MAWAR", "--name", "KUBE Mawar Andi")
    budi("group", "edit", "MAWAR", "--name", "KUBE Mawar Budi")
    before = snapshot(andi.path)

    refused = andi.merge(budi, code=1)
    assert "group 'MAWAR'" in refused.stderr and "changed on both sides" in refused.stderr
    assert "ours 'KUBE Mawar Andi', theirs 'KUBE Mawar Budi'" in refused.stderr
    assert snapshot(andi.path) == before

    resolved = andi.merge(budi, "--prefer", "theirs")
    assert resolved["conflicts"] == 1
    assert andi.kube.json("--db", str(andi.path), "group", "show", "MAWAR")["name"] == "KUBE Mawar Budi"
    assert any(row[3] == "merge.prefer" and row[2] == "andi" for row in audit(andi.path))
    budi.merge(andi)  # Budi's side now agrees without a conflict
    assert content(andi.path) == content(budi.path)


def test_one_nik_in_two_groups_is_a_conflict(kube, andi: Officer, tmp_path: Path, fresh_laptop: Path) -> None:
    citra = laptop(kube, fresh_laptop, tmp_path / "citra.db", "citra")
    citra("group", "add", "KUBE Anggrek", "--kelurahan", "Talise", "--usaha", "kuliner", "--code", "ANGGREK")
    citra("member", "add", "ANGGREK", "--nik", NIK_1, "--name", "Siti Contoh")
    before = snapshot(andi.path)

    refused = andi.merge(citra, code=1)
    assert "nik '727108******9001'" in refused.stderr and "MAWAR" in refused.stderr and "ANGGREK" in refused.stderr
    assert NIK_1 not in refused.stderr
    assert snapshot(andi.path) == before

    andi.merge(citra, "--prefer", "ours")
    holders = [m["group_code"] for m in kube.json("--db", str(andi.path), "member", "list")]
    assert holders.count("MAWAR") == 1 and "ANGGREK" not in holders
    assert any(row[3] == "merge.prefer" for row in audit(andi.path))


def test_one_code_on_two_groups_is_a_conflict(kube, andi: Officer, tmp_path: Path, fresh_laptop: Path) -> None:
    citra = laptop(kube, fresh_laptop, tmp_path / "citra.db", "citra")
    citra("group", "add", "KUBE Mawar Talise", "--kelurahan", "Talise", "--usaha", "kuliner", "--code", "MAWAR")
    before = snapshot(andi.path)

    refused = andi.merge(citra, code=1)
    assert "code 'MAWAR'" in refused.stderr and "KUBE Mawar Talise" in refused.stderr
    assert snapshot(andi.path) == before

    andi.merge(citra, "--prefer", "theirs")
    groups = {g["code"]: g["name"] for g in kube.json("--db", str(andi.path), "group", "list")}
    assert groups["MAWAR"] == "KUBE Mawar Talise" and "KUBE Mawar" in groups.values() and len(groups) == 2
    citra.merge(andi)
    assert content(andi.path) == content(citra.path)


def test_two_ketua_in_one_group_is_a_conflict(andi: Officer, budi: Officer) -> None:
    andi.merge(budi)
    budi("member", "remove", NIK_1)
    budi("member", "add", "MAWAR", "--nik", NIK_2, "--name", "Wati Contoh", "--role", "ketua")
    andi("member", "edit", NIK_1, "--name", "Siti Contoh Edit")  # Andi keeps Siti as ketua and edits her
    refused = andi.merge(budi, code=1)
    assert "changed on both sides" in refused.stderr
    andi.merge(budi, "--prefer", "ours")
    ketua = [m for m in andi.kube.json("--db", str(andi.path), "member", "list", "MAWAR") if m["role"] == "ketua"]
    assert [m["name"] for m in ketua] == ["Siti Contoh Edit"]


def test_other_registry_missing_foreign_or_newer_is_refused(kube, andi: Officer, tmp_path: Path) -> None:
    before = snapshot(andi.path)
    assert "does not exist" in andi("merge", str(tmp_path / "nope.db"), code=1).stderr
    text = tmp_path / "notes.db"
    text.write_text("not a registry")
    assert "not a kube registry" in andi("merge", str(text), code=1).stderr
    newer = tmp_path / "newer.db"
    shutil.copy(andi.path, newer)
    with sqlite3.connect(newer) as conn:
        conn.execute("PRAGMA user_version = 999")
    assert "newer version of kube" in andi("merge", str(newer), code=1).stderr
    assert "itself" in andi("merge", str(andi.path), code=1).stderr
    assert andi("merge", str(newer), "--prefer", "mine", code=2).exit_code == 2
    assert snapshot(andi.path) == before


def test_revenue_replaced_on_one_laptop_stays_replaced(kube, andi: Officer, tmp_path: Path) -> None:
    andi("revenue", "record", "MAWAR", "--amount", "1 juta", "--period", "2021-01")
    andi("revenue", "record", "MAWAR", "--amount", "2 juta", "--period", "2021-02")
    citra = laptop(kube, andi.path, tmp_path / "citra.db", "citra")  # Citra copies the registry
    andi("revenue", "record", "MAWAR", "--amount", "30 juta", "--period", "2021", "--replace")

    andi.merge(citra)  # Citra's copy still has the months: they do not come back
    citra.merge(andi)  # and Citra's months give way to the yearly record
    for officer in (andi, citra):
        periods = [r["period"] for r in kube.json("--db", str(officer.path), "revenue", "list")]
        assert periods == ["2021"]
    assert content(andi.path) == content(citra.path)


def test_a_yearly_and_a_monthly_revenue_for_one_year_is_a_conflict(andi: Officer, budi: Officer) -> None:
    andi("revenue", "record", "MAWAR", "--amount", "30 juta", "--period", "2021")
    budi("revenue", "record", "MAWAR", "--amount", "2 juta", "--period", "2021-03")
    before = snapshot(andi.path)
    refused = andi.merge(budi, code=1)
    assert "revenue 'MAWAR 2021'" in refused.stderr and "yearly" in refused.stderr
    assert snapshot(andi.path) == before
    andi.merge(budi, "--prefer", "ours")
    assert [r["period"] for r in andi.kube.json("--db", str(andi.path), "revenue", "list")] == ["2021"]
    budi.merge(andi)  # Budi's month gives way without a second conflict
    assert content(andi.path) == content(budi.path)


def test_conflict_lines_name_columns_and_sides_as_people_read_them(andi: Officer, budi: Officer) -> None:
    andi.merge(budi)
    andi("group", "edit", "MAWAR", "--kelurahan", "Talise")
    budi("group", "edit", "MAWAR", "--kelurahan", "Tondo")
    andi("member", "edit", NIK_1, "--name", "Siti Andi", "--pkh-graduate")
    budi("member", "edit", NIK_1, "--name", "Siti Budi")

    english = andi("--lang", "en", "merge", str(budi.path), code=1).stderr
    assert "kelurahan ours '" in english and "kelurahan_kode" not in english
    assert "member '727108******9001 in MAWAR'" in english and "PKH graduate ours 'yes', theirs 'no'" in english

    indonesian = andi("--lang", "id", "merge", str(budi.path), code=1).stderr
    assert "anggota '727108******9001 di MAWAR'" in indonesian and "kelompok 'MAWAR'" in indonesian
    assert "nama di sini 'Siti Andi', di registri lain 'Siti Budi'" in indonesian
    assert "Graduasi PKH di sini 'ya', di registri lain 'tidak'" in indonesian
    assert "kelurahan di sini '" in indonesian and "kelurahan_kode" not in indonesian


def test_two_groups_with_one_code_name_the_sides_in_indonesian(kube, andi: Officer, tmp_path: Path,
                                                               fresh_laptop: Path) -> None:  # fmt: skip
    citra = laptop(kube, fresh_laptop, tmp_path / "citra.db", "citra")
    citra("group", "add", "KUBE Mawar Talise", "--kelurahan", "Talise", "--usaha", "kuliner", "--code", "MAWAR")
    refused = andi("--lang", "id", "merge", str(citra.path), code=1).stderr
    assert "dipakai dua kelompok berbeda: di sini 'KUBE Mawar'" in refused
    assert "di registri lain 'KUBE Mawar Talise'" in refused
    assert "ours '" not in refused and "theirs '" not in refused


def test_a_dry_run_into_a_missing_registry_creates_nothing(kube, tmp_path: Path, demo_registry: Path) -> None:
    missing = tmp_path / "nowhere" / "office.db"
    kube("--db", str(missing), "merge", str(demo_registry), "--dry-run", code=1)
    assert not missing.exists() and not missing.parent.exists()


# --- registries made by older kubes ------------------------------------------------------------

DATA = Path(__file__).parent / "data"


def test_a_registry_of_the_first_schema_merges_as_it_is(kube, tmp_path: Path, fresh_laptop: Path) -> None:
    """registry-v1.db was made by the first release (schema 2): merge reads it read-only, columns it lacks and all."""
    old = shutil.copy(DATA / "registry-v1.db", tmp_path / "old.db")
    before = Path(old).read_bytes()
    office = laptop(kube, fresh_laptop, tmp_path / "office.db", "kantor")
    first = office.merge(Officer(kube, Path(old), "lama"))
    assert first["tables"]["groups"]["added"] == 1 and first["tables"]["members"]["added"] == 5
    assert first["conflicts"] == 0 and Path(old).read_bytes() == before  # the old file is not upgraded or touched
    group = kube.json("--db", str(office.path), "group", "show", "V1-SINTUVU")
    assert group["members"] == 5 and group["aid_total"] == 25_000_000
    again = office.merge(Officer(kube, Path(old), "lama"))
    assert again["added"] == again["updated"] == 0


def test_the_first_merge_after_an_upgrade_raises_no_false_conflict(kube, tmp_path: Path) -> None:
    """Two schema-7 laptops that met at a merge (their history kept as arrays in column order), each
    changed since: after the upgrade each side's change is taken, and nothing is "changed on both sides"."""
    office = Officer(kube, Path(shutil.copy(DATA / "registry-v7-office.db", tmp_path / "office.db")), "kantor")
    field = Officer(kube, Path(shutil.copy(DATA / "registry-v7-laptop.db", tmp_path / "laptop.db")), "lapangan")
    result = office.merge(field)
    assert result["conflicts"] == 0 and result["updated"] == 2, result
    groups = {g["code"]: g for g in kube.json("--db", str(office.path), "group", "list")}
    assert groups["V7-001"]["name"] == "KUBE Sintuvu Baru"  # the office's own change stays
    assert groups["V7-002"]["status"] == "nonaktif"  # the laptop's change comes in
    roles = {m["name"]: m["role"] for m in kube.json("--db", str(office.path), "member", "list")}
    assert roles["Andi Uji"] == "bendahara"
    back = field.merge(office)
    assert back["conflicts"] == 0 and back["updated"] == 1
    mine, theirs = content(office.path), content(field.path)
    assert all(
        mine[t] == theirs[t] for t in ("groups", "members", "aid", "revenue")
    )  # built-in usaha keep their own time


def test_a_registry_from_a_newer_kube_is_refused_naming_its_schema(kube, tmp_path: Path, fresh_laptop: Path) -> None:
    from kube_cli.migrations import SCHEMA_VERSION

    newer = Path(shutil.copy(fresh_laptop, tmp_path / "newer.db"))
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    office = laptop(kube, fresh_laptop, tmp_path / "office.db", "kantor")
    result = office.merge(Officer(kube, newer, "baru"), code=1)
    assert f"schema {SCHEMA_VERSION + 1}" in result.stderr and "upgrade kube" in result.stderr
