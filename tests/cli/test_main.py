import subprocess
import sys

import pytest

from rnnlab.cli.main import main


def test_help_lists_the_demo(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    assert "demo" in capsys.readouterr().out


def test_no_command_prints_help_and_fails(capsys):
    assert main([]) == 2
    assert "usage: rnnlab" in capsys.readouterr().out


def test_unknown_demo_section_is_a_clear_error(capsys, tmp_path):
    code = main(["demo", "--run-dir", str(tmp_path), "--only", "nonsense"])
    assert code == 2
    assert "unknown demo section(s) ['nonsense']" in capsys.readouterr().err


def test_python_dash_m_runs_the_cli():
    done = subprocess.run(
        [sys.executable, "-m", "rnnlab", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("rnnlab ")
