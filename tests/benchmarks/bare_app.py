"""The baseline: a bare Textual app that shows one label and counts the keys pressed.

`python tests/benchmarks/bare_app.py`. It does the least a Textual app can do: start,
draw a label, and redraw it on a key, so the benchmark can set salesdesk beside it.
"""

from textual.app import App, ComposeResult
from textual.widgets import Label


class BareApp(App):
    presses = 0

    def compose(self) -> ComposeResult:
        yield Label("bare label 0", id="label")

    def on_key(self, event) -> None:
        if event.key == "q":
            self.exit()
            return
        self.presses += 1
        self.query_one(Label).update(f"bare label {self.presses}")


if __name__ == "__main__":
    BareApp().run()
