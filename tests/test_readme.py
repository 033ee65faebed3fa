"""README's two set-up commands and .ci/run stay in step."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _setup_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return [b.strip() for b in re.findall(r"```bash\n(.*?)```", section, re.S)]


def test_two_setup_commands_and_ci_runs_the_second():
    first, second = _setup_commands()
    assert "\n" not in first and "\n" not in second
    assert first.startswith("pip install -e .") and "sktlft evaluate" in first
    assert "pytest" in second
    ci = (ROOT / ".ci" / "run").read_text()
    assert any(line.startswith(second) for line in ci.splitlines())
