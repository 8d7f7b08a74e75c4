"""Writing an output file so that a partial file never replaces a good one."""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

from salesdesk.core.errors import SalesdeskError
from salesdesk.i18n import _

_T = TypeVar("_T")


def write_atomically(target: Path, write: Callable[[BinaryIO], _T]) -> _T:
    """Call `write(binary stream)` on a temporary file beside `target`, then rename it over.

    Returns what `write` returned. Refuses, with one sentence, a folder or a missing folder.
    """
    target = Path(target).expanduser()
    if target.is_dir():
        raise SalesdeskError(_("{path} is a folder; pass -o with a file name.").format(path=target))
    if not target.parent.is_dir():
        raise SalesdeskError(
            _("The folder {folder} does not exist; create it first.").format(folder=target.parent)
        )
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    try:
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        with os.fdopen(handle, "wb") as stream:
            result = write(stream)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return result
