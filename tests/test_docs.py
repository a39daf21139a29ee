"""Docs that cannot drift: every CLI command and option, and every cleaning rule, is documented."""

from __future__ import annotations

import re
from pathlib import Path

import click

from polarwatch import clean
from polarwatch.cli import main

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_every_command_and_option_is_in_cli_doc():
    text = (DOCS / "cli.md").read_text("utf-8")
    ctx = click.Context(main)
    for name, cmd in main.commands.items():
        assert f"polarwatch {name}" in text, f"command {name} is not documented"
        for p in cmd.get_params(ctx):
            for opt in getattr(p, "opts", []):
                if opt.startswith("-") and opt not in ("-h", "--help"):
                    assert opt in text, f"{name} {opt} is not documented in docs/cli.md"


def test_every_cleaning_rule_is_in_cleaning_doc():
    text = (DOCS / "cleaning.md").read_text("utf-8")
    src = Path(clean.__file__).read_text("utf-8")
    rules = set(re.findall(r'_rule\("(\w+)"', src)) | set(re.findall(r'rule = "(\w+)"', src)) | {"related", "duplicate"}
    assert rules
    for r in sorted(rules):
        assert f"`{r}`" in text, f"rule {r} is not documented in docs/cleaning.md"
