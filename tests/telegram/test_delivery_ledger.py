"""The offset bookkeeping of confirm-only-what-is-answered (`bot.telegram.delivery`), on its own:
Telegram may forget an update only once it and every update fetched before it are finished."""

from __future__ import annotations

import random
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

from bot.telegram.delivery import UpdateLedger


def test_before_anything_is_fetched_polling_starts_at_the_oldest_unconfirmed_update() -> None:
    ledger = UpdateLedger()
    assert ledger.offset == 0
    assert ledger.unfinished == 0


def test_the_offset_passes_only_the_longest_finished_prefix() -> None:
    ledger = UpdateLedger()
    assert ledger.fetched([10, 11, 12, 13]) == [10, 11, 12, 13]
    assert ledger.offset == 10
    assert not ledger.finished(12)  # finished out of order: 10 and 11 still hold it back
    assert ledger.offset == 10
    assert ledger.finished(10)
    assert ledger.offset == 11
    assert ledger.finished(11)
    assert ledger.offset == 13  # 12 was already finished
    assert ledger.finished(13)
    assert ledger.offset == 14
    assert ledger.unfinished == 0


def test_unconfirmed_counts_what_the_next_poll_hands_out_again() -> None:
    ledger = UpdateLedger()
    assert ledger.unconfirmed == 0
    ledger.fetched([10, 11, 12])
    assert ledger.unconfirmed == 3
    ledger.finished(11)
    assert ledger.unconfirmed == 3  # 11 is finished, but 10 holds the offset
    ledger.finished(10)
    assert ledger.unconfirmed == 1
    ledger.finished(12)
    assert ledger.unconfirmed == 0


def test_updates_handed_out_again_are_not_new() -> None:
    ledger = UpdateLedger()
    ledger.fetched([5, 6])
    ledger.finished(6)
    # getUpdates returns every unconfirmed update from the offset on, the known ones first
    assert ledger.fetched([5, 6, 7]) == [7]
    assert ledger.unfinished == 2
    assert ledger.offset == 5


def test_ids_may_have_gaps() -> None:
    ledger = UpdateLedger()
    ledger.fetched([3, 8, 20])
    for update_id in (3, 8, 20):
        ledger.finished(update_id)
    assert ledger.offset == 21


def test_an_update_not_fetched_by_polling_changes_nothing() -> None:
    ledger = UpdateLedger()
    ledger.fetched([1])
    assert not ledger.finished(99)  # a webhook update, or one finished twice
    assert not ledger.finished(0)
    assert ledger.offset == 1
    ledger.finished(1)
    assert not ledger.finished(1)
    assert ledger.offset == 2


@given(st.integers(1, 60), st.randoms(use_true_random=False))
def test_the_offset_never_passes_an_unfinished_update(count: int, rng: random.Random) -> None:
    ledger = UpdateLedger()
    ids = sorted(rng.sample(range(1, 1000), count))
    batches = sorted(rng.sample(range(1, count), min(3, count - 1))) if count > 1 else []
    fetched: list[int] = []
    for chunk in _split(ids, batches):
        fetched += ledger.fetched(fetched + chunk)  # every poll repeats the unconfirmed ones
    assert fetched == ids
    finished: set[int] = set()
    for update_id in rng.sample(ids, count):
        before = ledger.offset
        moved = ledger.finished(update_id)
        finished.add(update_id)
        assert moved == (ledger.offset != before)
        assert all(i in finished for i in ids if i < ledger.offset), "confirmed unfinished"
        unfinished = [i for i in ids if i not in finished]
        assert ledger.offset == (min(unfinished) if unfinished else ids[-1] + 1)


def _split(items: list[int], cuts: list[int]) -> list[list[int]]:
    edges = [0, *cuts, len(items)]
    return [items[a:b] for a, b in pairwise(edges)]
