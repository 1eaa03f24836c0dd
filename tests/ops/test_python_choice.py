"""Which Python `make install` builds .venv with (scripts/ensure_venv.sh), on machines that
have other Pythons than this one: stub interpreters on PATH print the version asked for, and
a real python3.12/python3.13 is used where the machine has one.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.harness.processes import ROOT

ENSURE_VENV = ROOT / "scripts" / "ensure_venv.sh"
TOOLS = ("bash", "cat", "chmod", "cp", "dirname", "mkdir", "readlink", "rm", "sed", "touch")


def supported_minors() -> range:
    pyproject = (ROOT / "pyproject.toml").read_text()
    lowest, end = re.search(r'^requires-python = ">=3\.(\d+),<3\.(\d+)"$', pyproject, re.M).groups()
    return range(int(lowest), int(end))


@pytest.fixture
def machine(tmp_path):
    """A PATH with the shell tools the script uses and the Pythons each test puts there."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in TOOLS:
        (bin_dir / tool).symlink_to(shutil.which(tool))
    return bin_dir


def fake_python(
    directory: Path, name: str, version: str, *, runs: bool = True, ensurepip: bool = True
) -> Path:
    """Answers the version probe, the venv module check and `-m venv` (with a pip that logs)."""
    path = directory / name
    if not runs:  # What a pyenv shim does for a version that is installed but not selected.
        path.write_text(f'#!/bin/bash\necho "pyenv: {name}: command not found" >&2\nexit 127\n')
    else:
        path.write_text(f"""#!/bin/bash
case "$*" in
    *"import ensurepip"*) exit {0 if ensurepip else 1} ;;
    "-m venv --clear "*)
        venv="${{@: -1}}"
        rm -rf "$venv"
        mkdir -p "$venv/bin"
        cp "$0" "$venv/bin/python"
        printf '#!/bin/bash\\necho "$*" >> "%s/pip.log"\\n' "$venv" > "$venv/bin/pip"
        chmod +x "$venv/bin/pip" ;;
    *) echo {version} ;;
esac
""")
    path.chmod(0o755)
    return path


def ensure_venv(machine: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(ENSURE_VENV), *args],
        env={"PATH": str(machine), **env}, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


def test_the_newest_supported_python_on_path_is_chosen(machine):
    for minor in (*supported_minors(), supported_minors().stop):
        fake_python(machine, f"python3.{minor}", f"3.{minor}")
    fake_python(machine, "python3", "3.11")

    assert ensure_venv(machine, "--choose").stdout.strip() == f"python3.{supported_minors()[-1]}"


def test_a_python_on_path_that_does_not_run_is_passed_over(machine):
    fake_python(machine, "python3.13", "3.13", runs=False)
    fake_python(machine, "python3.12", "3.12")

    assert ensure_venv(machine, "--choose").stdout.strip() == "python3.12"


def test_python3_is_chosen_when_it_is_the_only_python_and_supported(machine):
    fake_python(machine, "python3", "3.12")

    assert ensure_venv(machine, "--choose").stdout.strip() == "python3"


def test_without_a_supported_python_it_says_which_are_supported(machine):
    fake_python(machine, "python3", "3.10")
    fake_python(machine, f"python3.{supported_minors().stop}", f"3.{supported_minors().stop}")

    result = ensure_venv(machine, "--choose")

    assert result.returncode == 1 and result.stdout == ""
    supported = f"3.{supported_minors().start}–3.{supported_minors()[-1]}"
    assert (
        f"Greengrocer needs Python {supported}, and none was found on PATH (python3 is 3.10)" in result.stderr
    )


def test_PYTHON_is_taken_when_set_and_refused_when_unsupported(machine):
    fake_python(machine, "python3.13", "3.13")
    chosen = fake_python(machine, "my-python", "3.12")
    old = fake_python(machine, "old-python", "3.10")

    assert ensure_venv(machine, "--choose", PYTHON=str(chosen)).stdout.strip() == str(chosen)
    refused = ensure_venv(machine, "--choose", PYTHON=str(old))
    assert (
        refused.returncode == 1
        and f"PYTHON={old} is Python 3.10; Greengrocer needs Python 3.11" in refused.stderr
    )


def test_an_existing_venv_built_with_another_supported_python_is_kept(machine, tmp_path):
    fake_python(machine, "python3.13", "3.13")
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    fake_python(venv / "bin", "python", "3.12")
    (venv / ".installed").touch()

    result = ensure_venv(machine, str(venv))

    assert (result.returncode, result.stdout) == (0, "")
    assert subprocess.run([venv / "bin" / "python"], capture_output=True, text=True).stdout.strip() == "3.12"
    assert not (venv / "pip.log").exists()


def test_a_venv_whose_python_is_gone_is_rebuilt_with_the_chosen_one(machine, tmp_path):
    fake_python(machine, "python3.13", "3.13")
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "bin" / "python").symlink_to("/usr/bin/python3.9-removed-by-an-upgrade")
    (venv / ".installed").touch()

    result = ensure_venv(machine, str(venv))

    assert result.returncode == 0, result.stderr
    assert f"{venv} has no working Python; rebuilding it with python3.13 (3.13)" in result.stdout
    assert subprocess.run([venv / "bin" / "python"], capture_output=True, text=True).stdout.strip() == "3.13"
    assert "install --quiet -e .[dev]" in (venv / "pip.log").read_text()
    assert (venv / ".installed").exists()


def test_a_python_without_the_venv_module_is_named(machine, tmp_path):
    fake_python(machine, "python3.13", "3.13", ensurepip=False)

    result = ensure_venv(machine, str(tmp_path / "venv"))

    assert result.returncode == 1
    assert f"{machine}/python3.13 (Python 3.13) has no venv/ensurepip module" in result.stderr
    assert not (tmp_path / "venv").exists()


def real_pythons_other_than_3_11() -> list[Path]:
    """Runnable python3.12/python3.13 on PATH, or installed by pyenv (whose shims may not run)."""
    found = []
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    for minor in (m for m in supported_minors() if m != 11):
        candidates = [
            shutil.which(f"python3.{minor}"),
            *pyenv_root.glob(f"versions/3.{minor}.*/bin/python3.{minor}"),
        ]
        for candidate in filter(None, candidates):
            if (
                subprocess.run([candidate, "-c", "import ensurepip, venv"], capture_output=True).returncode
                == 0
            ):
                found.append(Path(candidate))
                break
    return found


def test_a_real_python_other_than_3_11_is_chosen_from_path(machine, tmp_path):
    pythons = real_pythons_other_than_3_11()
    if not pythons:
        pytest.skip("no runnable python3.12 or python3.13 here (PATH or pyenv); CI runs on Debian 12's 3.11")
    for python in pythons:
        on_path = tmp_path / python.name
        on_path.mkdir()
        (on_path / python.name).symlink_to(python)

        result = ensure_venv(on_path, "--choose", PATH=f"{on_path}:{machine}")

        assert result.stdout.strip() == python.name, result.stderr
