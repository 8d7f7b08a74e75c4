"""Stages of the sales process and the rules for moving a deal through them."""

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from salesdesk.i18n import N_, _

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
        N_("Lead"),
        1,
        10,
        OPEN,
        14,
        (N_("Contact person and need identified"), N_("First call or meeting booked")),
    ),
    Stage(
        "stage-qualified",
        N_("Qualified"),
        2,
        25,
        OPEN,
        21,
        (N_("Budget confirmed"), N_("Decision maker known"), N_("Timeline agreed")),
    ),
    Stage(
        "stage-quote",
        N_("Quote"),
        3,
        50,
        OPEN,
        14,
        (N_("Quote sent"), N_("Quote walked through with the customer")),
    ),
    Stage(
        "stage-negotiation",
        N_("Negotiation"),
        4,
        75,
        OPEN,
        21,
        (N_("Terms agreed"), N_("Contract sent for signature")),
    ),
    Stage("stage-signed", N_("Signed"), 5, 100, WON, None, (N_("Invoice sent"),)),
    Stage("stage-paid", N_("Paid"), 6, 100, WON, None, ()),
    Stage("stage-lost", N_("Lost"), 7, 0, LOST, None, ()),
)


def localised_default_stages() -> tuple[Stage, ...]:
    """The default pipeline in the language shown (线索, 需求确认, 报价 ... in Chinese).

    A new database is seeded in English, the same for every device of a team; one made
    under another language then renames its stages as an ordinary edit (Store).
    """
    return tuple(
        replace(stage, name=_(stage.name), checklist=tuple(_(item) for item in stage.checklist))
        for stage in DEFAULT_STAGES
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
