"""The small parts on their own, with a fake clock: flood buckets, outage logging, and what
a log line may carry."""

from __future__ import annotations

import logging

import pytest
from telegram import Update

from bot.telegram.activity import Activity, Outcome, redact
from bot.telegram.flood import FloodGuard, Verdict
from bot.telegram.network import ApiHealth


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_flood_is_warned_about_once_per_burst_and_other_users_are_untouched() -> None:
    clock = Clock()
    guard = FloodGuard(burst=3, per_minute=6, clock=clock)  # a token every 10 s
    assert [guard.check(1) for _ in range(6)] == [Verdict.ALLOW] * 3 + [
        Verdict.WARN, Verdict.DROP, Verdict.DROP
    ]
    assert guard.check(2) is Verdict.ALLOW
    clock.now += 10
    assert [guard.check(1) for _ in range(3)] == [Verdict.ALLOW, Verdict.WARN, Verdict.DROP]
    clock.now += 60
    assert [guard.check(1) for _ in range(4)] == [Verdict.ALLOW] * 3 + [Verdict.WARN]
    assert guard.dropped == 6  # every message not let through, notices included


def test_a_burst_of_zero_turns_flood_protection_off() -> None:
    guard = FloodGuard(burst=0, per_minute=0)
    assert {guard.check(1) for _ in range(100)} == {Verdict.ALLOW}


def test_an_outage_is_logged_once_when_it_starts_and_once_when_it_ends(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = Clock()
    health = ApiHealth(clock)
    with caplog.at_level(logging.INFO, logger="bot.telegram.network"):
        health.answered()
        for _ in range(5):
            health.failed("ConnectError")
            clock.now += 2
        health.answered()
        health.answered()
    assert [r.getMessage() for r in caplog.records] == [
        "The Bot API is unreachable or failing (ConnectError); retrying with back-off.",
        "The Bot API answers again after 10.0 s (failed attempts: 5).",
    ]


def test_one_failure_followed_by_success_is_not_an_outage(
    caplog: pytest.LogCaptureFixture,
) -> None:
    health = ApiHealth(Clock())
    with caplog.at_level(logging.INFO, logger="bot.telegram.network"):
        health.failed("RemoteProtocolError")  # a pooled connection the server had closed
        health.answered()
    assert caplog.records == []


def update(user_id: int) -> Update:
    return Update.de_json(
        {
            "update_id": 1,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": user_id, "type": "private"},
                "from": {"id": user_id, "is_bot": False, "first_name": "Ada"},
                "text": "Is revenge porn a crime?",
            },
        },
        None,
    )


@pytest.mark.parametrize("log_questions", [False, True])
def test_log_lines_carry_a_hashed_user_and_the_question_only_when_asked_to(
    caplog: pytest.LogCaptureFixture, log_questions: bool
) -> None:
    activity = Activity(b"key", log_questions=log_questions)
    outcome = Outcome((16, 14), "Is revenge porn a crime?", abstained=False)
    with caplog.at_level(logging.INFO, logger="bot.telegram.activity"):
        activity.record(update(4242), "question", 0.0123, outcome)
    (line,) = [r.getMessage() for r in caplog.records]
    expected = f"question user={activity.pseudonym(4242)} ms=12 articles=16,14"
    if log_questions:
        expected += " question='Is revenge porn a crime?'"
    assert line == expected
    assert "4242" not in line
    assert activity.pseudonym(4242) != Activity(b"other key").pseudonym(4242)
    assert (activity.answered, activity.abstained, activity.median_latency_s()) == (1, 0, 0.0123)


def test_the_token_is_redacted_in_any_letter_case() -> None:
    token = "123:AbC-dEf"
    assert redact(f"/bot{token}/x and /bot{token.lower()}/y", token) == (
        "/bot<bot token>/x and /bot<bot token>/y"
    )
