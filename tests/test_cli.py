"""The top-level command: every sub-command is registered and explains itself."""

from __future__ import annotations

import subprocess
import sys

import pytest

from torbayreport.cli import build_parser, main

COMMANDS = ["synth", "validate", "metrics", "kpis", "build", "demo"]


def test_every_command_is_registered_with_help():
    parser = build_parser()
    text = parser.format_help()
    for command in COMMANDS:
        assert command in text


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    assert "usage: torbayreport " + command in capsys.readouterr().out


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "commands" in capsys.readouterr().out


def test_output_into_a_closed_pipe_is_not_an_error():
    # `torbayreport kpis | head -1`: the reader stops early; the command must not print a traceback
    done = subprocess.run(f"{sys.executable} -m torbayreport.cli kpis | head -1", shell=True,
                          capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr
    assert done.stdout.startswith("id")
