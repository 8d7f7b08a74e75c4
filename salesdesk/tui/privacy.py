"""Privacy mode (`*`): amounts, phone numbers, email addresses and other handles hidden
wherever they are shown, so a screen can be shared or seen over a shoulder."""

from textual.dom import DOMNode

HIDDEN = "•••"

# Fields whose values privacy mode hides wherever a field is shown by name: in forms,
# in the dialog of a save refused, on the Conflicts screen.
PRIVATE_FIELDS = frozenset({"amount", "phone", "email", "handle"})


def masked(text: str, private: bool) -> str:
    """The text, or the mark that stands for it while privacy is on (empty stays empty)."""
    return HIDDEN if private and text else text


def privacy_on(node: DOMNode) -> bool:
    """Whether the app `node` belongs to is in privacy mode."""
    return bool(getattr(node.app, "privacy", False))
