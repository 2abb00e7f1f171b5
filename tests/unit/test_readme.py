"""The README stays true to the code: every `ripple` and `make` command it shows parses or
exists, every declaration it shows validates, every setting it lists is read, and its layout
names every module. (The snippets that read a warehouse run end to end in tests/test_querying.py.)"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest

from ingest.cli import build_parser
from ingest.sources import parse_source

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README, flags=re.S | re.M)


def shell_lines() -> list[str]:
    lines = []
    for block in blocks("sh"):
        for line in block.splitlines():
            command = line.split(" # ")[0].split("  #")[0].strip()
            if command:
                lines.append(command)
    return lines


@pytest.mark.parametrize("line", [c for c in shell_lines() if c.startswith("ripple ")])
def test_every_ripple_command_shown_parses(line):
    try:
        build_parser().parse_args(shlex.split(line)[1:])
    except SystemExit as exc:  # --version and --help exit 0; a wrong option exits 2
        assert exc.code == 0, f"README: `{line}` does not parse"


def test_every_make_target_shown_exists():
    targets = set(re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(), flags=re.M))
    shown = {c.split()[1] for c in shell_lines() if c.startswith("make ")}
    shown |= set(re.findall(r"^\| `make ([a-z-]+)", README, flags=re.M))
    assert shown and shown <= targets, f"README shows make targets the Makefile lacks: {shown - targets}"


def test_every_declaration_shown_validates():
    declarations = tomllib.loads("\n".join(blocks("toml")))
    assert declarations
    for name, spec in declarations.items():
        parse_source(name, spec)


def test_every_setting_listed_is_read_by_the_code():
    listed = set(re.findall(r"`((?:RIPPLE|DBT)_[A-Z_]+)`", README))
    read = [
        *ROOT.glob("ingest/**/*.py"),
        *ROOT.glob("orchestration/*.py"),
        *ROOT.glob("tests/**/*.py"),
        ROOT / "profiles" / "profiles.yml",
        ROOT / "Makefile",
    ]
    code = "".join(p.read_text() for p in read)
    assert listed and not {v for v in listed if v not in code}


def test_the_layout_names_every_module_and_only_modules_that_exist():
    layout = README.split("## Layout", 1)[1].split("```")[1]
    named = set(re.findall(r"\b([a-z_]+\.py)\b", layout))
    modules = {p.name for p in (ROOT / "ingest").glob("*.py") if p.name != "__init__.py"}
    assert modules <= named, f"modules the README's layout does not name: {modules - named}"
    existing = {p.name for p in ROOT.glob("**/*.py") if ".venv" not in p.parts}
    assert named <= existing, f"the README's layout names files that do not exist: {named - existing}"
    commands = {p.stem for p in (ROOT / "ingest" / "commands").glob("*.py") if p.stem != "__init__"}
    assert all(c in layout for c in commands)
