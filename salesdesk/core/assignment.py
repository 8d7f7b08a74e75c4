"""Who gets the next unowned lead: round-robin among the team, in the order given."""


def next_owner(members: list[str], last: str | None) -> str | None:
    """The member after `last` (the first when `last` is not a member); None for no members."""
    if not members:
        return None
    if last in members:
        return members[(members.index(last) + 1) % len(members)]
    return members[0]
