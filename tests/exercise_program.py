"""Issue 12's exercise, applied to a copy of kube_cli: a nullable ``program`` column on groups, added
where the records module says (one Field, one Column, one report dimension, one migration, one
translation) and nowhere else. ``python tests/exercise_program.py COPY`` edits COPY/kube_cli."""

from __future__ import annotations

import sys
from pathlib import Path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{path.name}: the exercise no longer applies; update tests/exercise_program.py"
    path.write_text(text.replace(old, new), encoding="utf-8")


def main(root: Path) -> None:
    records = root / "kube_cli" / "records.py"
    edit(records, '        Field("note", N_("Note"), listed=False, exported=False, public=False),\n',
         '        Field("program", N_("Program"), doc="Programme that formed the group", cell=Cell(text(100))),\n'
         '        Field("note", N_("Note"), listed=False, exported=False, public=False),\n')  # fmt: skip
    edit(records, '        Column("removed_at"),\n    ),\n)  # fmt: skip\n\nMEMBERS',
         '        Column("removed_at"), Column("program"),\n    ),\n)  # fmt: skip\n\nMEMBERS')  # fmt: skip
    edit(records, '    "stage": "g.stage",\n}', '    "stage": "g.stage",\n    "program": "g.program",\n}')
    migrations = root / "kube_cli" / "migrations.py"
    edit(
        migrations,
        "\n\nMIGRATIONS = [",
        """

def _add_program(db: Database) -> None:
    from kube_cli.records import recreate_history_triggers

    db.execute("ALTER TABLE groups ADD COLUMN program TEXT")
    recreate_history_triggers(db.conn)


MIGRATIONS = [""",
    )
    edit(migrations, "_vocabulary_checks_as_comparisons]", "_vocabulary_checks_as_comparisons, _add_program]")
    catalog = root / "kube_cli" / "locale" / "id" / "LC_MESSAGES" / "kube.po"
    catalog.write_text(catalog.read_text(encoding="utf-8") + '\nmsgid "Program"\nmsgstr "Program"\n', encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
