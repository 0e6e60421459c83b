"""The attack campaigns of tests/reliability/campaigns.py, a few trials each (the big runs are
`python -m tests.reliability.campaigns --trials N`; their figures are in the README)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.reliability.campaigns import SCENARIOS, kill_campaign, writers_campaign

TRIALS = int(os.environ.get("KUBE_KILL_TRIALS", "1"))


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_kill_9_during_a_write_leaves_the_registry_whole_and_no_stray_copy(scenario: str) -> None:
    verdicts = kill_campaign(scenario, TRIALS, rows=500)
    assert verdicts["broken"] == 0, verdicts


def test_20_writers_at_once_all_succeed_and_every_write_lands(palu: Path) -> None:
    result = writers_campaign(palu, writers=20, each=1)
    assert result == {"writes": 20, "succeeded": 20, "groups": 20, "logged": 20}
