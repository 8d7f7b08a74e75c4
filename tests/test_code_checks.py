"""The code checks itself on every test run: lint, format, types and who imports whom.

Each check is the tool's own command, run from the project root with the settings in
pyproject.toml; a finding fails the test with the tool's report.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent  # the tools come with the test extras, beside Python

CHECKS = {
    "lint": ["ruff", "check", "."],
    "format": ["ruff", "format", "--check", "."],
    "types": ["mypy"],
    "layers": ["lint-imports"],
}


@pytest.mark.parametrize("check", CHECKS)
def test_code_checks(check: str) -> None:
    tool, *arguments = CHECKS[check]
    result = subprocess.run(
        [str(BIN / tool), *arguments], cwd=ROOT, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, f"{check} ({tool}) found:\n{result.stdout}{result.stderr}"
