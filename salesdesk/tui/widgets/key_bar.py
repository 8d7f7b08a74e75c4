"""The keys of the focused widget and its screen, on the bottom line.

One widget that draws one line of text. Textual's Footer mounts a widget for every
key and mounts them all again whenever the bindings change, which is every focus
change: on these screens that was 100 ms of the start-up and of many key presses.
Here a change of bindings is a redraw of one line.
"""

from dataclasses import replace

from rich.console import RenderableType
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode
from textual.widget import Widget

from salesdesk.i18n import N_, _, language

SEPARATOR = "▏"
# Textual's own words on the keys of every screen and of the app (the palette's key,
# tab, the quit key's tooltip), in the catalogue so that `translate_keys` finds them.
TEXTUAL_WORDS = (
    N_("palette"),
    N_("Open the command palette"),
    N_("Focus Next"),
    N_("Focus Previous"),
    N_("Copy selected text"),
    N_("Quit the app and return to the command prompt."),
)


def translate_keys(node: DOMNode) -> None:
    """Describe `node`'s keys in the language shown, for the key bar and the help panel.

    A class's bindings are made when its module is imported, which may be before the
    language is chosen (tests import first), so their descriptions are English keys
    marked with `N_`. Each node gets its own copy of them from Textual when it is made:
    this translates that copy, so what is drawn is in the language of when the node was
    made, whenever the module was imported. Call it in `__init__`, after Textual's.
    Each set of bindings is translated once per language, then copied as Textual does.
    """
    bindings = tuple(binding for _key, binding in node._bindings)
    cache_key = (language(), bindings)
    translated = _TRANSLATED.get(cache_key)
    if translated is None:
        translated = _TRANSLATED[cache_key] = BindingsMap(
            [
                replace(
                    binding,
                    description=_(binding.description),
                    tooltip=_(binding.tooltip) if binding.tooltip else "",
                )
                for binding in bindings
            ]
        )
    node._bindings = translated.copy()


# Translated bindings by (language, the bindings as the class made them).
_TRANSLATED: dict[tuple[str, tuple[Binding, ...]], BindingsMap] = {}


class KeyBar(Widget, can_focus=False):
    """Each shown binding as its key and description, like a compact Footer."""

    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
    }
    """

    def __init__(self, *, id: str | None = None):
        super().__init__(id=id)
        self._spans: list[tuple[int, int, str]] = []  # (first cell, last cell + 1, key) for clicks

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen) -> None:
        if screen is self.screen:
            self.refresh()

    def _shown(self) -> tuple[list[tuple[Binding, bool]], tuple[Binding, bool] | None]:
        """The bindings to show, one per action, and the command palette's apart."""
        active = self.screen.active_bindings
        shown: dict[str, tuple[Binding, bool]] = {}
        for _node, binding, enabled, _tooltip in active.values():
            if binding.show and binding.action not in shown:
                shown[binding.action] = (binding, enabled)
        palette = None
        if self.app.ENABLE_COMMAND_PALETTE and self.app.COMMAND_PALETTE_BINDING in active:
            _node, binding, enabled, _tooltip = active[self.app.COMMAND_PALETTE_BINDING]
            palette = (binding, enabled)
            shown.pop(binding.action, None)
        return list(shown.values()), palette

    def _key(self, text: Text, binding: Binding, enabled: bool) -> None:
        dim = "" if enabled else " dim"
        start = text.cell_len
        text.append(
            self.app.get_key_display(binding), style=f"{self.get_component_rich_style('key-bar--key')}{dim}"
        )
        text.append(
            f" {binding.description}", style=f"{self.get_component_rich_style('key-bar--description')}{dim}"
        )
        self._spans.append((start, text.cell_len, binding.key.split(",")[0]))

    def render(self) -> RenderableType:
        width = self.size.width
        self._spans = []
        keys, palette = self._shown()
        line = Text(" ", no_wrap=True, overflow="ellipsis", end="")
        for index, (binding, enabled) in enumerate(keys):
            if index:
                line.append(" ")
            self._key(line, binding, enabled)
        if palette is None:
            line.truncate(width, overflow="ellipsis")
            return line
        right = Text(SEPARATOR, end="")
        left_spans, self._spans = self._spans, []
        self._key(right, *palette)
        right.append(" ")
        room = max(0, width - right.cell_len)
        line.truncate(room, overflow="ellipsis", pad=True)
        self._spans = [span for span in left_spans if span[1] <= room] + [
            (start + room, end + room, key) for start, end, key in self._spans
        ]
        return line + right

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
