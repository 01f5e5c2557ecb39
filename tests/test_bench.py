"""scripts/bench.py runs end to end in its quick mode, and refuses clearly without an index."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
BENCH = [sys.executable, str(REPO_ROOT / "scripts" / "bench.py")]
TIMEOUT_S = 300


def run_bench(args: list[str], index_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INDEX_DIR": str(index_dir)}
    return subprocess.run(
        [*BENCH, *args], env=env, cwd=REPO_ROOT, capture_output=True, text=True,
        timeout=TIMEOUT_S, check=False,
    )


def test_quick_run_reports_every_metric_as_json(index_settings) -> None:
    result = run_bench(["--quick", "--skip-build", "--json"], index_settings.index_dir)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    metrics = {m["metric"]: m for m in report["metrics"]}
    assert set(metrics) == {
        "warm Retriever.ask(q, 3)",
        'cold treaty-ask "Is hacking a crime?"',
        "cold treaty-ask --help",
        "peak RSS treaty-ask (1 question)",
        "peak RSS bot (after warm-up + 1 question)",
        "CLI answer (--batch --json)",
    }
    for metric in metrics.values():
        assert metric["min"] <= metric["median"] <= metric["max"]
        assert metric["method"]
    assert metrics["cold treaty-ask --help"]["median"] > 0
    assert metrics["peak RSS treaty-ask (1 question)"]["median"] > 10
    assert metrics["peak RSS bot (after warm-up + 1 question)"]["median"] > 10
    assert report["machine"]["nproc"] >= 1
    assert len(report["machine"]["load_average_end"]) == 3
    assert "median" in result.stdout and "load average" in result.stdout


def test_missing_index_says_how_to_build_it(tmp_path: Path) -> None:
    result = run_bench(["--quick", "--skip-build"], tmp_path / "no-index")
    assert result.returncode == 1
    assert "treaty-build-index" in result.stderr
