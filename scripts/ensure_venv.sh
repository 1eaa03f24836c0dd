#!/usr/bin/env bash
# Creates .venv with a supported Python and installs the pinned packages (`make install`).
# Usage: ensure_venv.sh VENV       create or reuse VENV, then install when pyproject.toml changed
#        ensure_venv.sh --choose   print the interpreter a new VENV would be built with
#
# The interpreter: $PYTHON if set, else the newest python3.X on PATH within requires-python
# (pyproject.toml), else python3 if its version is within it. A candidate must actually run:
# a pyenv shim for a version that is not selected is on PATH but fails.
# An existing VENV is kept whenever its Python still runs and is supported (whatever version
# built it), unless $PYTHON asks for another version.
set -euo pipefail
cd "$(dirname "$0")/.."

requires=$(sed -n 's/^requires-python = ">=3\.\([0-9]*\),<3\.\([0-9]*\)"$/\1 \2/p' pyproject.toml)
read -r lowest_minor end_minor <<<"$requires"
supported="3.$lowest_minor–3.$((end_minor - 1))"

version_of() {  # "3.12" for a Python that runs, nothing (and failure) otherwise
    "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null
}

is_supported() {
    local minor=${1#3.}
    [[ $1 == 3.* && $minor -ge $lowest_minor && $minor -lt $end_minor ]]
}

choose_python() {
    local candidate version minor
    if [ -n "${PYTHON:-}" ]; then
        version=$(version_of "$PYTHON") || { echo "PYTHON=$PYTHON does not run." >&2; return 1; }
        is_supported "$version" || {
            echo "PYTHON=$PYTHON is Python $version; Greengrocer needs Python $supported." >&2
            return 1
        }
        echo "$PYTHON"
        return 0
    fi
    for ((minor = end_minor - 1; minor >= lowest_minor; minor--)); do
        candidate=python3.$minor
        command -v "$candidate" >/dev/null 2>&1 && version_of "$candidate" >/dev/null && {
            echo "$candidate"
            return 0
        }
    done
    if command -v python3 >/dev/null 2>&1 && version=$(version_of python3) && is_supported "$version"; then
        echo python3
        return 0
    fi
    cat >&2 <<MSG
Greengrocer needs Python $supported, and none was found on PATH (python3 is ${version:-missing}).
Install one, for example:
    Debian/Ubuntu:  sudo apt-get install python3 python3-venv   (Debian 12: 3.11, Debian 13: 3.13, Ubuntu 24.04: 3.12)
    macOS:          brew install python@3.13
or point PYTHON at one:  make run PYTHON=/path/to/python3.12
MSG
    return 1
}

ensure_venv_module() {  # Debian ships `venv` without ensurepip; python3.X-venv brings it back
    local python=$1 version=$2
    "$python" -c 'import ensurepip, venv' 2>/dev/null && return 0
    local path
    path=$(command -v "$python")
    if [[ $(readlink -f "$path") == /usr/bin/* ]]; then
        scripts/ensure_system_packages.sh "$python:ensurepip=python$version-venv"
    else
        echo "$path (Python $version) has no venv/ensurepip module; use a Python that has (PYTHON=...)." >&2
        return 1
    fi
}

if [ "${1:-}" = "--choose" ]; then
    choose_python
    exit
fi

venv=${1:?usage: ensure_venv.sh VENV | --choose}
stamp=$venv/.installed
venv_version=$(version_of "$venv/bin/python" || true)
wanted_version=""
[ -n "${PYTHON:-}" ] && wanted_version=$(version_of "$PYTHON" || true)

if [ -n "$venv_version" ] && is_supported "$venv_version" \
    && { [ -z "$wanted_version" ] || [ "$wanted_version" = "$venv_version" ]; }; then
    : # The existing environment runs a supported Python: keep it.
else
    python=$(choose_python)
    version=$(version_of "$python")
    ensure_venv_module "$python" "$version"
    if [ -L "$venv" ]; then
        echo "$venv is a link to $(readlink "$venv") with ${venv_version:-no working} Python; not replacing a link." >&2
        exit 1
    fi
    if [ -e "$venv" ]; then
        echo "==> $venv has ${venv_version:+Python $venv_version}${venv_version:-no working Python}; rebuilding it with $python ($version)"
    else
        echo "==> creating $venv with $python ($version)"
    fi
    "$python" -m venv --clear "$venv"
fi

if [ ! -e "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    "$venv/bin/pip" install --quiet --upgrade pip
    "$venv/bin/pip" install --quiet -e '.[dev]'
    touch "$stamp"
fi
