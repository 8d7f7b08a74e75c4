"""Text from the database, made safe to show: never terminal control.

Both faces use it: the app before a string reaches Rich as `Text`, the command line
before it prints.
"""

import re

# C0 controls and DEL become their visible Unicode "control pictures" (ESC -> ␛),
# so a stored escape sequence is seen, not obeyed. Tabs and newlines too: a card
# or a table cell is one line.
_PICTURES = {code: 0x2400 + code for code in range(0x20)}
_PICTURES[0x7F] = 0x2421
# C1 controls (U+0080-U+009F) can also drive terminals; show them as the replacement mark.
_PICTURES.update({code: 0xFFFD for code in range(0x80, 0xA0)})


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def literal(value: object) -> str:
    """The value as a plain string with control characters made visible."""
    if value is None:
        return ""
    text = str(value)
    # Most text holds no control character; translating it anyway is slow on 10,000 rows.
    # Printable text has none (isprintable is False for them, and for some spaces: those
    # are searched for controls as before).
    if text.isprintable() or not _CONTROL.search(text):
        return text
    return text.translate(_PICTURES)
