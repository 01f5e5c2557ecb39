"""scripts/loadtest.py in small runs: the real `treaty-bot` process answers every question
of 10 chats side by side, with nothing refused, failed or leaked, and stops cleanly; killed
with SIGKILL halfway and started again, it still answers every question."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from bot.settings import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_a_small_load_is_answered_in_full(index_settings: Settings) -> None:
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "loadtest.py"), "--chats", "10",
         "--questions-per-chat", "2", "--json"],
        env={**os.environ, "INDEX_DIR": str(index_settings.index_dir)},
        capture_output=True, text=True, timeout=300, check=False,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert result.returncode == 0, report
    assert (report["sent"], report["answered"]) == (20, 20)
    assert report["refused_requests"] == report["errors_logged"] == report["bot_exit_code"] == 0
    assert not report["token_in_log"]
    latency = report["latency_ms"]
    assert 0 < latency["p50"] <= latency["p95"] <= latency["max"]
    assert report["replies_per_second"] > 0


def test_a_small_load_with_a_kill_halfway_loses_nothing(index_settings: Settings) -> None:
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts" / "loadtest.py"), "--chats", "10",
         "--questions-per-chat", "2", "--kill-after", "10", "--json"],
        env={**os.environ, "INDEX_DIR": str(index_settings.index_dir)},
        capture_output=True, text=True, timeout=300, check=False,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert result.returncode == 0, report
    assert (report["sent"], report["answered"], report["lost"]) == (20, 20, 0)
    assert report["killed_after"] == 10 and report["in_flight_at_kill"] is not None
    assert report["answered_twice"] <= report["in_flight_at_kill"]
    assert report["refused_requests"] == report["errors_logged"] == report["bot_exit_code"] == 0
