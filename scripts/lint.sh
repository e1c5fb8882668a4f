#!/usr/bin/env bash
# Lint the project's shell scripts (shellcheck) or Python (pyflakes), as TAP.
# SPDX-License-Identifier: GPL-2.0-or-later
#
# usage: lint.sh shell|python|scenarios [SOURCE_DIR]
#   shell      shellcheck -x -S warning over scripts/ and bench/: every *.sh
#              and every file there whose first line runs sh or bash
#   python     pyflakes3 over every *.py of the tree
#   scenarios  every scenarios/*.scn is in the files() list of
#              scenarios/meson.build (so that meson runs it)
# Files are those git tracks (every file when SOURCE_DIR is not a git work
# tree; build/ is never looked at). Exit 77 (skip) when the tool is not
# installed (scripts/setup.sh installs both).
set -euo pipefail

what=${1:?usage: lint.sh shell|python|scenarios [SOURCE_DIR]}
cd "${2:-$(dirname "$0")/..}"

list() {
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files -- "$@"
    else
        find "$@" -path ./build -prune -o -type f -print 2>/dev/null |
            sed 's|^\./||'
    fi
}

files=()
case "$what" in
shell)
    tool=shellcheck
    while IFS= read -r f; do
        [ -f "$f" ] || continue
        case "$f" in
        *.sh) files+=("$f") ;;
        *.py|*.md|*.conf|*.supp|*.txt) ;;
        *) head -n 1 "$f" | grep -qE '^#!.*\b(ba)?sh\b' && files+=("$f") ;;
        esac
    done < <(list scripts bench)
    run() { shellcheck -x -P SCRIPTDIR -S warning -f gcc "$1"; }
    ;;
python)
    tool=pyflakes3
    while IFS= read -r f; do
        case "$f" in build/*) continue ;; esac
        [ -f "$f" ] && files+=("$f")
    done < <(list '*.py')
    run() { pyflakes3 "$1"; }
    ;;
scenarios)
    tool="grep"
    while IFS= read -r f; do
        files+=("$f")
    done < <(list scenarios | grep '\.scn$')
    run() {
        grep -q "^  '${1#scenarios/}',\$" scenarios/meson.build ||
            { echo "not listed in scenarios/meson.build"; return 1; }
    }
    ;;
*)
    echo "lint.sh: unknown check '$what' (shell, python or scenarios)" >&2
    exit 2
    ;;
esac

if ! command -v "$tool" >/dev/null; then
    echo "1..0 # SKIP $tool is not installed (scripts/setup.sh)"
    exit 77
fi
echo "1..${#files[@]}"
n=0 rc=0
for f in "${files[@]}"; do
    n=$((n + 1))
    if out=$(run "$f" 2>&1); then
        echo "ok $n $f"
    else
        echo "not ok $n $f"
        while IFS= read -r line; do echo "# $line"; done <<<"$out"
        rc=1
    fi
done
exit $rc
