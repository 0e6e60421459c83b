"""Help shows each argument by the upper-case name the manual (CONTRACT) uses, not the Python parameter's,
and without typer's placeholders (``{CODE}``, ``<str>``, ``<bool>``, ``<int range> [x>=1]``)."""

from __future__ import annotations

import pytest

USAGE = {
    "group add": "NAME", "group show": "CODE", "group edit": "CODE",
    "member add": "CODE", "member list": "[CODE]", "member edit": "MEMBER", "member move": "MEMBER",
    "member remove": "MEMBER", "aid record": "CODE", "aid list": "[CODE]", "aid void": "ID",
    "revenue record": "CODE", "revenue list": "[CODE]", "usaha add": "NAME", "import": "FILE",
    "export": "KIND", "backup": "DEST", "restore": "BACKUP", "merge": "OTHER.db", "publish": "DIR",
}  # fmt: skip


@pytest.mark.parametrize("command", USAGE)
def test_usage_names_the_argument_in_upper_case(kube, command: str) -> None:
    usage = next(line for line in kube(*command.split(), "--help").stdout.splitlines() if "Usage:" in line)
    assert usage.split()[-1] == USAGE[command], usage


def test_a_missing_argument_is_named_as_in_the_usage(kube) -> None:
    assert "Missing argument 'MEMBER'" in kube("member", "move", "--to", "PALU-001", code=2).stderr
