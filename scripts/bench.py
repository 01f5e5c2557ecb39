"""Benchmark `treaty-ask` and `treaty-build-index` on this machine; medians over repeated runs.

    python scripts/bench.py                  everything: cold start, warm latency, RSS, build
    python scripts/bench.py --skip-build     leave out the (slow) index build
    python scripts/bench.py --json           also print one JSON object at the end
    python scripts/bench.py --quick          a tiny run (used by tests/test_bench.py)

Cold start, warm latency and RSS use the index in INDEX_DIR (settings); the build goes into a
fresh temporary INDEX_DIR per run, from TREATY_SOURCE, with HF_HUB_OFFLINE=1, followed there by
a no-op rebuild and a forced one (which reuses the first build's vectors).

Methods:
- cold start: wall clock of a fresh `python -m bot.cli.ask "Is hacking a crime?"` process
  (imports, index and model load, one answer rendered, exit); `--help` likewise. The package
  is byte-compiled first, as an installed one is: with PYTHONDONTWRITEBYTECODE set (as on our
  machines) an editable checkout would otherwise recompile its modules at every start.
- retrieval latency: `Retriever.ask(q, 3)` in this process, after one warm-up call, every
  question of the file, over several passes; p50/p95 of the individual calls.
- CLI answer: throughput of `treaty-ask --batch FILE --json` over the question file:
  (batch wall clock − median cold start) / (questions − 1), since the cold start already
  includes one answer. A mean per question (per run), not a per-question distribution.
- peak RSS: `ru_maxrss` from wait4() of each `treaty-ask` child, i.e. of that process alone
  (measured before this process loads a retriever: the kernel also counts, in a child's
  ru_maxrss, the memory of the process it was forked from, up to its exec);
  for the bot, VmHWM of `python -m bot.telegram.app` (started against the Bot API stand-in, as
  scripts/loadtest.py does) once it has answered its own warm-up question and a user's.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_QUESTIONS = REPO_ROOT / "tests" / "data" / "questions_en.jsonl"
COLD_QUESTION = "Is hacking a crime?"
ASK = [sys.executable, "-m", "bot.cli.ask"]
BUILD = [sys.executable, "-m", "bot.cli.build_index"]
ASK_TIMEOUT_S = 300
BUILD_TIMEOUT_S = 1200
NOISY_LOAD = 1.0
QUICK_QUESTIONS = 5
MIN_SAMPLES_FOR_P95 = 20  # below this a p95 is just the maximum again


@dataclass
class Metric:
    """One measured quantity and its samples; the table shows median/p95/min/max of them."""

    name: str
    unit: str
    samples: list[float]
    method: str = ""

    def summary(self) -> dict[str, Any]:
        values = sorted(self.samples)
        return {
            "metric": self.name,
            "unit": self.unit,
            "median": statistics.median(values),
            "p95": _percentile(values, 95) if len(values) >= MIN_SAMPLES_FOR_P95 else None,
            "min": values[0],
            "max": values[-1],
            "runs": len(values),
            "method": self.method,
        }


@dataclass
class Child:
    """What one finished child process cost: wall clock, peak RSS, exit code, output."""

    seconds: float
    max_rss_mb: float
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Report:
    machine: dict[str, Any]
    metrics: list[Metric] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="cold-start and batch runs (5)")
    parser.add_argument("--build-runs", type=int, default=3, help="full index builds (3)")
    parser.add_argument("--passes", type=int, default=3, help="warm passes over the file (3)")
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS,
                        help="question file, JSON lines (tests/data/questions_en.jsonl)")
    parser.add_argument("--json", action="store_true", help="print one JSON object at the end")
    parser.add_argument("--skip-build", action="store_true", help="leave out the index build")
    parser.add_argument("--quick", action="store_true",
                        help=f"tiny run for tests: 1 run, 1 pass, {QUICK_QUESTIONS} questions")
    args = parser.parse_args(argv)
    if args.quick:
        args.runs, args.build_runs, args.passes = 1, 1, 1
    if min(args.runs, args.build_runs, args.passes) < 1:
        parser.error("--runs, --build-runs and --passes must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from bot.settings import Settings

    settings = Settings()
    index_dir = settings.index_dir.expanduser().resolve()
    if not index_ready(index_dir):
        return 1
    questions = [q.question for q in load_question_file(args.questions)]
    if args.quick:
        questions = questions[:QUICK_QUESTIONS]
    env = child_env(INDEX_DIR=str(index_dir))

    report = Report(machine_facts(settings, index_dir))
    compileall.compile_dir(REPO_ROOT / "bot", quiet=1)
    # The children first, while this process is small: a child's ru_maxrss also counts the
    # memory of the process it was forked from, up to its exec.
    _progress(f"cold start: {args.runs} runs")
    cold, rss = measure_cold_start(env, args.runs)
    report.metrics += [cold, measure_help(env, args.runs), rss]
    _progress(f"bot peak RSS: {args.runs} runs")
    report.metrics.append(measure_bot_rss(index_dir, args.runs))
    if len(questions) > 1:
        _progress(f"CLI batch: {args.runs} runs")
        report.metrics.append(
            measure_batch(env, questions, args.runs, statistics.median(cold.samples))
        )
    _progress(f"retrieval latency: {len(questions)} questions × {args.passes} passes")
    report.metrics.append(
        measure_retrieval(load_retriever(settings, index_dir), questions, args.passes)
    )
    if not args.skip_build:
        _progress(f"index build: {args.build_runs} runs (about a minute each)")
        report.metrics += measure_build(settings, args.build_runs)
    finish(report)
    print_table(report)
    if args.json:
        print(json.dumps(report_json(report), ensure_ascii=False))
    return 0


# --- Set-up ------------------------------------------------------------------------------------


def index_ready(index_dir: Path) -> bool:
    """Whether there is a sound index; if not, says how to build one."""
    from bot.index.store import IndexNotReady, checked_build

    try:
        checked_build(index_dir)
    except IndexNotReady as error:
        print(f"error: {error}", file=sys.stderr)
        print(
            f"Build the index first, e.g.:\n  TREATY_SOURCE=path/to/A_RES_79_243-EN.pdf "
            f"INDEX_DIR={index_dir} HF_HUB_OFFLINE=1 .venv/bin/treaty-build-index",
            file=sys.stderr,
        )
        return False
    return True


def load_retriever(settings, index_dir: Path):
    from bot.search.retriever import Retriever

    return Retriever.load(settings.model_copy(update={"index_dir": index_dir}))


def load_question_file(path: Path) -> list:
    from bot.search.evaluation import load_questions

    questions = load_questions(path)
    if not questions:
        raise SystemExit(f"error: no questions in {path}")
    return questions


def child_env(**overrides: str) -> dict[str, str]:
    """The children see our environment, offline for Hugging Face like `make`, plus overrides."""
    return {**os.environ, "HF_HUB_OFFLINE": "1", **overrides}


def machine_facts(settings, index_dir: Path) -> dict[str, Any]:
    """What a reader needs to judge the figures: CPUs, load, Python, index and source."""
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average_start": list(os.getloadavg()),
        "index_dir": str(index_dir),
        "treaty_source": settings.treaty_source or "(unset: official UN PDF, download/cache)",
    }


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# --- Measurements ------------------------------------------------------------------------------


def measure_retrieval(retriever, questions: list[str], passes: int) -> Metric:
    """Per-call latency of the search itself, with models and index already in memory."""
    retriever.ask(questions[0], 3)  # warm-up: first-call allocations and caches
    samples = []
    for _ in range(passes):
        for question in questions:
            started = time.perf_counter()
            retriever.ask(question, 3)
            samples.append((time.perf_counter() - started) * 1000)
    return Metric("warm Retriever.ask(q, 3)", "ms", samples,
                  f"in-process, {len(questions)} questions × {passes} passes, after 1 warm-up")


def measure_cold_start(env: dict[str, str], runs: int) -> tuple[Metric, Metric]:
    """A user's first answer: a fresh process each time; its peak RSS comes along for free."""
    seconds, rss = [], []
    for _ in range(runs):
        child = run_child([*ASK, COLD_QUESTION], env, ASK_TIMEOUT_S)
        _check(child, "treaty-ask", "Article")
        seconds.append(child.seconds)
        rss.append(child.max_rss_mb)
    return (
        Metric(f'cold treaty-ask "{COLD_QUESTION}"', "s", seconds,
               "fresh `python -m bot.cli.ask` process, wall clock"),
        Metric("peak RSS treaty-ask (1 question)", "MB", rss, "ru_maxrss of the child (wait4)"),
    )


def measure_help(env: dict[str, str], runs: int) -> Metric:
    """The floor of any CLI call: interpreter start and argument parsing only."""
    samples = []
    for _ in range(runs):
        child = run_child([*ASK, "--help"], env, ASK_TIMEOUT_S)
        _check(child, "treaty-ask --help", "usage")
        samples.append(child.seconds)
    return Metric("cold treaty-ask --help", "s", samples, "fresh process, wall clock")


def measure_bot_rss(index_dir: Path, runs: int) -> Metric:
    """What the running bot holds once it answers: a fresh bot process each run."""
    samples = [asyncio.run(_bot_peak_rss_mb(index_dir)) for _ in range(runs)]
    return Metric("peak RSS bot (after warm-up + 1 question)", "MB", samples,
                  "VmHWM of `python -m bot.telegram.app` against the Bot API stand-in")


async def _bot_peak_rss_mb(index_dir: Path) -> float:
    import loadtest  # beside this script

    standin = loadtest.BotApiStandIn(loadtest.TOKEN, loadtest.BOT_USER)
    await standin.start()
    replies = loadtest.Replies(standin)
    with tempfile.TemporaryDirectory(prefix="bench-bot-") as tmp:
        bot = await loadtest.start_bot(standin, Path(tmp) / "bot.log", index_dir)
        try:
            asked = loadtest.run_chat(standin, replies, loadtest.Pacer(None),
                                      loadtest.WARM_UP_CHAT, [COLD_QUESTION], loadtest.Tally())
            if await asyncio.wait_for(asked, loadtest.START_TIMEOUT_S) != 1:
                log = (Path(tmp) / "bot.log").read_text(errors="replace")[-2000:]
                raise SystemExit(f"error: the bot did not answer:\n{log}")
            peak = _peak_rss_mb(bot.pid)
            bot.terminate()
            await asyncio.wait_for(bot.wait(), loadtest.STOP_TIMEOUT_S)
        finally:
            await loadtest.shut_down(standin, bot)
    return peak


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise SystemExit(f"error: no VmHWM for process {pid}")


def measure_batch(
    env: dict[str, str], questions: list[str], runs: int, cold_s: float
) -> Metric:
    """Full CLI answers (search + JSON rendering) without the start-up cost, from throughput."""
    samples = []
    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        batch = Path(tmp) / "questions.txt"
        batch.write_text("".join(" ".join(q.split()) + "\n" for q in questions), "utf-8")
        for _ in range(runs):
            child = run_child([*ASK, "--batch", str(batch), "--json"], env, ASK_TIMEOUT_S)
            _check(child, "treaty-ask --batch")
            answered = len(child.stdout.splitlines())
            if answered != len(questions):
                raise SystemExit(f"error: --batch answered {answered} of {len(questions)}")
            samples.append((child.seconds - cold_s) * 1000 / (len(questions) - 1))
    return Metric("CLI answer (--batch --json)", "ms/question", samples,
                  f"(batch wall clock − median cold start) / {len(questions) - 1}; "
                  "mean per question per run")


def measure_build(settings, runs: int) -> list[Metric]:
    """A full build from scratch into an empty temporary INDEX_DIR, then a no-op rebuild, then
    a forced rebuild over it (which may reuse its vectors: the source or the search aids
    changed, say, but not the models)."""
    full, noop, again = [], [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
            env = child_env(INDEX_DIR=str(Path(tmp) / "index"))
            child = run_child([*BUILD, "--force", "--quiet"], env, BUILD_TIMEOUT_S)
            _check(child, "treaty-build-index --force", "Index built")
            full.append(child.seconds)
            child = run_child(BUILD, env, BUILD_TIMEOUT_S)
            _check(child, "treaty-build-index (no-op)", "up to date")
            noop.append(child.seconds)
            child = run_child([*BUILD, "--force", "--quiet"], env, BUILD_TIMEOUT_S)
            _check(child, "treaty-build-index --force (again)", "Index built")
            again.append(child.seconds)
    source = settings.treaty_source or "official PDF"
    return [
        Metric("treaty-build-index --force (full)", "s", full,
               f"fresh temporary INDEX_DIR, TREATY_SOURCE={source}, HF_HUB_OFFLINE=1"),
        Metric("treaty-build-index (no-op)", "s", noop, "right after each full build"),
        Metric("treaty-build-index --force (over a build)", "s", again,
               "right after the no-op: the same model copies, so the vectors are reused"),
    ]


# --- Child processes ---------------------------------------------------------------------------


def run_child(command: list[str], env: dict[str, str], timeout_s: float) -> Child:
    """Run to completion; wait4() gives this child's own peak RSS, unlike RUSAGE_CHILDREN."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                   env=env)
        timer = threading.Timer(timeout_s, process.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)  # reaped: Popen must not wait
        out.seek(0)
        err.seek(0)
        return Child(seconds, usage.ru_maxrss / 1024, process.returncode,
                     out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"))


def _check(child: Child, what: str, expected: str | None = None) -> None:
    """A failed or wrong run would make the timing meaningless: stop with its stderr."""
    if child.returncode != 0 or (expected and expected not in child.stdout):
        raise SystemExit(
            f"error: {what} failed (exit {child.returncode}):\n{child.stderr.strip()[-2000:]}"
        )


# --- Reporting ---------------------------------------------------------------------------------


def finish(report: Report) -> None:
    """Record the load at the end and warn when either end says the figures are noisy."""
    report.machine["load_average_end"] = list(os.getloadavg())
    nproc = report.machine["nproc"]
    for moment in ("start", "end"):
        one_minute = report.machine[f"load_average_{moment}"][0]
        if one_minute > NOISY_LOAD:
            report.warnings.append(
                f"load average at {moment} was {one_minute:.2f} (> {NOISY_LOAD}) on {nproc} "
                "CPUs: other work was running, figures are noisy and likely inflated"
            )


def print_table(report: Report) -> None:
    m = report.machine
    print(f"\nmachine: {m['cpu_model']}, nproc {m['nproc']}, Python {m['python']}, "
          f"{m['platform']}")
    print(f"load average (1/5/15 min): start {_loads(m['load_average_start'])}, "
          f"end {_loads(m['load_average_end'])}")
    print(f"index: {m['index_dir']}; source: {m['treaty_source']}\n")
    rows = [metric.summary() for metric in report.metrics]
    width = max(len(r["metric"]) for r in rows)
    print(f"{'metric':<{width}}  {'unit':<11} {'median':>9} {'p95':>9} {'min':>9} "
          f"{'max':>9} {'runs':>5}")
    for r in rows:
        print(f"{r['metric']:<{width}}  {r['unit']:<11} {_num(r['median']):>9} "
              f"{_num(r['p95']):>9} {_num(r['min']):>9} {_num(r['max']):>9} {r['runs']:>5}")
    print("\nmethods:")
    for r in rows:
        print(f"  {r['metric']}: {r['method']}")
    for warning in report.warnings:
        print(f"WARNING: {warning}")


def report_json(report: Report) -> dict[str, Any]:
    return {
        "machine": report.machine,
        "metrics": [metric.summary() for metric in report.metrics],
        "warnings": report.warnings,
    }


def _percentile(sorted_values: list[float], percent: int) -> float:
    return statistics.quantiles(sorted_values, n=100, method="inclusive")[percent - 1]


def _num(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:.1f}" if abs(value) >= 100 else f"{value:.3g}"


def _loads(values: list[float]) -> str:
    return " / ".join(f"{v:.2f}" for v in values)


def _progress(line: str) -> None:
    print(f"… {line}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
