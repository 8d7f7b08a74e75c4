"""Tags are one per name whatever its case: `vip` and `VIP` are the same tag.

Adding a tag finds the existing one in any case (Unicode case folding, not only ASCII).
Copies of a team can still each have made their own before they synced: a merge (and
migration 11, for databases from before) folds such duplicates into one, the first
created, by ordinary edits through the one write path, so every copy folds alike.
"""

from typing import TYPE_CHECKING

from salesdesk.store.database import Database

if TYPE_CHECKING:
    from salesdesk.store.records import Records


def fold_key(name: str) -> str:
    """What two spellings of one tag have in common."""
    return name.strip().casefold()


def find_tag(db: Database, name: str) -> tuple[str, str | None] | None:
    """(id, deleted_at) of the tag with this name in any case: a live one first, then the first made."""
    key = fold_key(name)
    found = [
        (deleted is not None, created, tag_id, deleted)
        for tag_id, label, created, deleted in db.execute("SELECT id, name, created_at, deleted_at FROM tags")
        if fold_key(label) == key
    ]
    if not found:
        return None
    _, _, tag_id, deleted = min(found)
    return str(tag_id), deleted


def fold_duplicate_tags(records: "Records") -> int:
    """Fold tags whose names differ only in case into the first created live one.

    Every customer tagged with a duplicate (live or already folded away, whose tagging
    would otherwise be invisible) is tagged with the kept tag instead; the duplicate is
    deleted. Returns how many tags were folded away.
    """
    db = records.db
    groups: dict[str, list[tuple[bool, str, str]]] = {}
    for tag_id, label, created, deleted in db.execute("SELECT id, name, created_at, deleted_at FROM tags"):
        groups.setdefault(fold_key(label), []).append((deleted is not None, created, tag_id))
    folded = 0
    with records.transaction():
        for group in groups.values():
            group.sort()
            if len(group) < 2 or group[0][0]:
                continue  # one tag, or none of them live
            keep = group[0][2]
            for gone, _, duplicate in group[1:]:
                links = db.execute(
                    "SELECT id, customer_id FROM customer_tags WHERE tag_id = ? AND deleted_at IS NULL",
                    [duplicate],
                ).fetchall()
                for link, customer in links:
                    target = f"{customer}:{keep}"
                    existing = records.get("customer_tags", target, include_deleted=True)
                    if existing is None:
                        records.insert("customer_tags", {"customer_id": customer, "tag_id": keep}, target)
                    elif existing["deleted_at"] is not None:
                        records.update("customer_tags", target, {"deleted_at": None})
                    records.delete("customer_tags", link)
                if not gone:
                    records.delete("tags", duplicate)
                    folded += 1
    return folded
