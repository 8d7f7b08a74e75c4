"""Stages and the rules for moving a deal through them."""

import pytest

from salesdesk.core.pipeline import (
    DEFAULT_STAGES,
    LOST,
    OPEN,
    WON,
    Stage,
    board_stages,
    effective_probability,
    first_stage,
    is_rotting,
    neighbour,
)

BY_NAME = {stage.name: stage for stage in DEFAULT_STAGES}
LEAD, QUALIFIED, QUOTE = BY_NAME["Lead"], BY_NAME["Qualified"], BY_NAME["Quote"]
NEGOTIATION, SIGNED, PAID, LOST_STAGE = (
    BY_NAME["Negotiation"],
    BY_NAME["Signed"],
    BY_NAME["Paid"],
    BY_NAME["Lost"],
)


def test_own_probability_wins_in_an_open_stage():
    assert effective_probability(40, QUOTE) == 40


def test_stage_probability_applies_without_an_own_one():
    assert effective_probability(None, QUOTE) == 50


def test_own_zero_is_kept_not_treated_as_missing():
    assert effective_probability(0, NEGOTIATION) == 0


def test_won_is_certain():
    assert effective_probability(30, SIGNED) == 100
    assert effective_probability(None, PAID) == 100


def test_lost_is_zero():
    assert effective_probability(80, LOST_STAGE) == 0


def test_board_hides_lost_unless_asked():
    assert [s.name for s in board_stages(DEFAULT_STAGES)] == [
        "Lead",
        "Qualified",
        "Quote",
        "Negotiation",
        "Signed",
        "Paid",
    ]
    assert board_stages(DEFAULT_STAGES, include_lost=True)[-1].name == "Lost"


def test_neighbour_forward_and_back():
    assert neighbour(DEFAULT_STAGES, QUOTE.id, +1) == NEGOTIATION
    assert neighbour(DEFAULT_STAGES, QUOTE.id, -1) == QUALIFIED


def test_neighbour_skips_lost():
    # Paid is the last board column; Lost (position 7) is never one step away
    assert neighbour(DEFAULT_STAGES, PAID.id, +1) is None


def test_neighbour_stops_at_the_first_stage():
    assert neighbour(DEFAULT_STAGES, LEAD.id, -1) is None


def test_neighbour_of_a_lost_deal_is_none():
    assert neighbour(DEFAULT_STAGES, LOST_STAGE.id, -1) is None


def test_neighbour_follows_position_not_list_order():
    shuffled = list(reversed(DEFAULT_STAGES))
    assert neighbour(shuffled, LEAD.id, +1) == QUALIFIED


def test_first_stage_of_each_kind():
    assert first_stage(DEFAULT_STAGES, OPEN) == LEAD
    assert first_stage(DEFAULT_STAGES, WON) == SIGNED
    assert first_stage(DEFAULT_STAGES, LOST) == LOST_STAGE


def test_rotting_past_the_rotting_days_with_nothing_booked():
    assert LEAD.rotting_days == 14
    assert is_rotting(15, LEAD, has_follow_up_ahead=False) is True


def test_not_rotting_on_the_last_allowed_day():
    assert is_rotting(14, LEAD, has_follow_up_ahead=False) is False


def test_follow_up_ahead_means_not_rotting():
    assert is_rotting(100, LEAD, has_follow_up_ahead=True) is False


@pytest.mark.parametrize("stage", [SIGNED, PAID])
def test_won_stages_never_rot(stage):
    assert is_rotting(10_000, stage, has_follow_up_ahead=False) is False


def test_won_stage_with_rotting_days_still_never_rots():
    odd = Stage("s", "Won but timed", 5, 100, WON, rotting_days=3)
    assert is_rotting(10, odd, has_follow_up_ahead=False) is False


def test_stage_without_rotting_days_never_rots():
    open_forever = Stage("s", "Parked", 3, 5, OPEN, rotting_days=None)
    assert is_rotting(10_000, open_forever, has_follow_up_ahead=False) is False
