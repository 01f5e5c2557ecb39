"""scripts/loadtest.py in a small run: the real `treaty-bot` process answers every question
of 10 chats side by side, with nothing refused, failed or leaked, and stops cleanly."""

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
