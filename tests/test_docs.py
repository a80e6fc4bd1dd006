"""Every CLI command has help text and a line in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.cli import cli

README = (Path(__file__).parent.parent / "README.md").read_text()


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_every_command_has_help_and_is_documented(name):
    command = cli.commands[name]
    assert command.help and command.help.strip(), f"{name} has no help text"
    assert f"`clausewise {name}" in README, f"{name} is not in the README's command table"


def test_readme_quick_start_gives_the_two_commands():
    quick = README.split("## Quick start", 1)[1].split("##", 1)[0]
    assert "make demo" in quick and "make test" in quick
