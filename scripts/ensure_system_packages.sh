#!/usr/bin/env bash
# Installs the system programs Greengrocer runs, when they are missing.
# Usage: ensure_system_packages.sh COMMAND=debian-package ... (or PYTHON:MODULE=debian-package
# for a module of that Python, such as python3.12:ensurepip=python3.12-venv)
# On Debian/Ubuntu as root it uses apt-get; elsewhere it says what to install and fails.
set -euo pipefail

missing_packages=()
missing_commands=()
for pair in "$@"; do
    command_name=${pair%%=*}
    package_name=${pair#*=}
    if [[ $command_name == *:* ]]; then
        "${command_name%%:*}" -c "import ${command_name#*:}" 2>/dev/null && continue
        missing_commands+=("the ${command_name#*:} module of ${command_name%%:*}")
        missing_packages+=("$package_name")
    elif ! command -v "$command_name" >/dev/null 2>&1 && [ ! -x "/usr/bin/$command_name" ]; then
        missing_packages+=("$package_name")
        missing_commands+=("$command_name")
    fi
done
[ ${#missing_packages[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing ${missing_packages[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >/dev/null
    exit 0
fi

missing=$(IFS=,; echo "${missing_commands[*]}")
cat >&2 <<MSG
Greengrocer needs these, which are not installed: ${missing//,/, }
Install them with your system's package manager, for example:
    Debian/Ubuntu:  sudo apt-get install ${missing_packages[*]}
    macOS:          brew install redis poppler prometheus alertmanager   (and Chromium for the browser tests)
then run the make target again.
MSG
exit 1
