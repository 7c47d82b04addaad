#!/usr/bin/env bash
# The CI run (.ci/run) against the newest versions pip resolves today, without constraints.txt:
# what a new user who installs from the README gets. Run it at the start of a working session;
# when it passes and versions moved, refresh constraints.txt from the freeze it prints.
#
# Usage: scripts/check-newest.sh [WORK_DIR]   (venvs kept there; default a temporary folder)
set -uo pipefail
cd "$(dirname "$0")/.."
work=${1:-$(mktemp -d)}
OPTAGENT_CI_CONSTRAINTS=none OPTAGENT_CI_WORK=$work .ci/run
rc=$?
if [ -x "$work/dev/bin/python" ]; then
    "$work/dev/bin/python" -m pip freeze --exclude-editable 2>/dev/null | sort >"$work/newest.txt"
    echo "check-newest: versions that differ from constraints.txt (< pinned, > newest):"
    grep -v '^#' constraints.txt | grep . | sort | diff - "$work/newest.txt" | grep '^[<>]' || true
    echo "check-newest: full freeze in $work/newest.txt"
fi
if [ -z "${1:-}" ]; then rm -rf "$work"; fi
exit "$rc"
