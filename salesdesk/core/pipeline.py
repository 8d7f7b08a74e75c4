"""Stages of the sales process and the rules for moving a deal through them."""

from collections.abc import Iterable
from dataclasses import dataclass, field

OPEN, WON, LOST = "open", "won", "lost"


@dataclass(frozen=True)
class Stage:
    id: str
    name: str
    position: int
    probability: int  # percent
    kind: str  # open / won / lost
    rotting_days: int | None = None
    checklist: tuple[str, ...] = field(default_factory=tuple)


# The default pipeline (SPEC section 2). Ids are fixed so that every new database of a
# team starts from the same stage records and merges them instead of duplicating them.
DEFAULT_STAGES = (
    Stage(
        "stage-lead",
        "Lead",
        1,
        10,
        OPEN,
        14,
        ("Contact person and need identified", "First call or meeting booked"),
    ),
    Stage(
        "stage-qualified",
        "Qualified",
        2,
        25,
        OPEN,
        21,
        ("Budget confirmed", "Decision maker known", "Timeline agreed"),
    ),
    Stage("stage-quote", "Quote", 3, 50, OPEN, 14, ("Quote sent", "Quote walked through with the customer")),
    Stage(
        "stage-negotiation", "Negotiation", 4, 75, OPEN, 21, ("Terms agreed", "Contract sent for signature")
    ),
    Stage("stage-signed", "Signed", 5, 100, WON, None, ("Invoice sent",)),
    Stage("stage-paid", "Paid", 6, 100, WON, None, ()),
    Stage("stage-lost", "Lost", 7, 0, LOST, None, ()),
)


def ordered(stages: Iterable[Stage]) -> list[Stage]:
    return sorted(stages, key=lambda stage: (stage.position, stage.name))


def board_stages(stages: Iterable[Stage], *, include_lost: bool = False) -> list[Stage]:
    """The columns of the board: open and won stages, Lost only when asked for."""
    return [s for s in ordered(stages) if include_lost or s.kind != LOST]


def neighbour(stages: Iterable[Stage], current_id: str, step: int) -> Stage | None:
    """The stage `step` places along the board from the current one (Lost is never a step)."""
    column = board_stages(stages)
    ids = [stage.id for stage in column]
    if current_id not in ids:
        return None
    index = ids.index(current_id) + step
    if 0 <= index < len(column):
        return column[index]
    return None


def first_stage(stages: Iterable[Stage], kind: str) -> Stage:
    return next(stage for stage in ordered(stages) if stage.kind == kind)


def effective_probability(own: int | None, stage: Stage) -> int:
    """A deal's own probability wins; otherwise its stage's. Won and lost are certain."""
    if stage.kind == WON:
        return 100
    if stage.kind == LOST:
        return 0
    return stage.probability if own is None else own


def is_forward(stages: Iterable[Stage], from_id: str, to_id: str) -> bool:
    positions = {stage.id: stage.position for stage in stages}
    return positions.get(to_id, 0) > positions.get(from_id, 0)


def is_rotting(days_in_stage: int, stage: Stage, has_follow_up_ahead: bool) -> bool:
    """Rotting: past the stage's rotting days with nothing booked ahead.

    A deal whose next step is booked is being worked, so it is not flagged.
    """
    if stage.kind != OPEN or stage.rotting_days is None:
        return False
    return days_in_stage > stage.rotting_days and not has_follow_up_ahead
