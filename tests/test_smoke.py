from pathlib import Path


def test_demo_prints_the_palu_figures(kube) -> None:
    result = kube("demo")
    assert "77" in result.stdout and "385" in result.stdout
    assert "e-Warong" in result.stdout and "Rp27.450.000" in result.stdout


def test_report_json_counts_the_sample(kube, demo_registry: Path) -> None:
    data = kube.json("report")
    assert data["totals"]["groups"] == 77
    assert data["totals"]["members"] == 385
    ewarong = next(r for r in data["by_usaha"] if r["usaha"] == "e-Warong")
    assert ewarong["groups"] == 9
