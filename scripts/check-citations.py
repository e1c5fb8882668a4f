#!/usr/bin/env python3
# Lint: every § citation in the tree names a section of docs/interface.md.
# SPDX-License-Identifier: GPL-2.0-or-later
"""Check section citations against docs/interface.md.

Usage: check-citations.py [--root DIR] [--doc FILE]
       check-citations.py --self-test

Scans the files git knows in DIR (tracked and untracked, ignored ones such
as build/ excepted; every file under DIR when it is not a git tree) for
"§" followed by a section number, and fails when a number has no heading
("## N. Title" or "### N.M Title") in the document. A range such as
"§2-§6" is two citations. --self-test checks that a broken citation is
caught.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile

CITE = re.compile(r'§\s*(\d+(?:\.\d+)*)')
HEADING = re.compile(r'^#{2,4}\s+(\d+(?:\.\d+)*)\.?\s')
SKIP_DIRS = {'.git', 'build'}


def sections(doc):
    """The section numbers that @doc defines as headings."""
    found = set()
    with open(doc, encoding='utf-8') as f:
        for line in f:
            m = HEADING.match(line)
            if m:
                found.add(m.group(1))
    return found


def tree_files(root):
    """Files of @root: git's view if it is a work tree, else a walk."""
    try:
        out = subprocess.run(
            ['git', '-C', root, 'ls-files', '-z', '--cached', '--others',
             '--exclude-standard'],
            check=True, capture_output=True).stdout
        return [os.path.join(root, p.decode())
                for p in out.split(b'\0') if p]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for top, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
            files += [os.path.join(top, n) for n in names]
        return files


def citations(path):
    """(line number, section) for every citation in @path."""
    try:
        with open(path, encoding='utf-8') as f:
            text = f.read()
    except (UnicodeDecodeError, OSError):
        return
    if '§' not in text:
        return
    for n, line in enumerate(text.splitlines(), 1):
        for m in CITE.finditer(line):
            yield n, m.group(1)


def check(root, doc):
    """Print every dangling citation; return how many there are."""
    known = sections(doc)
    if not known:
        print(f'{doc}: no numbered headings')
        return 1
    bad = total = 0
    for path in sorted(tree_files(root)):
        if not os.path.isfile(path):
            continue
        for line, sec in citations(path):
            total += 1
            if sec not in known:
                bad += 1
                rel = os.path.relpath(path, root)
                print(f'{rel}:{line}: §{sec} is not a section of '
                      f'{os.path.relpath(doc, root)}')
    print(f'{total} citations, {bad} dangling')
    return bad


def self_test():
    """A tree with one good and one broken citation must fail."""
    sign = chr(0xa7)        # spelled out, or this file would cite them
    with tempfile.TemporaryDirectory() as tmp:
        os.mkdir(os.path.join(tmp, 'docs'))
        doc = os.path.join(tmp, 'docs', 'interface.md')
        with open(doc, 'w', encoding='utf-8') as f:
            f.write('## 2. Registers\n\n### 2.1 Map\n')
        with open(os.path.join(tmp, 'a.c'), 'w', encoding='utf-8') as f:
            f.write(f'/* see {sign}2.1 and {sign}2 */\n')
        if check(tmp, doc):
            print('self-test: good citations reported as dangling')
            return 1
        with open(os.path.join(tmp, 'b.c'), 'w', encoding='utf-8') as f:
            f.write(f'/* see {sign}2.2 */\n')
        if check(tmp, doc) != 1:
            print('self-test: a broken citation went unnoticed')
            return 1
    print('self-test: ok')
    return 0


def main():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--root', default=here)
    ap.add_argument('--doc', help='default: ROOT/docs/interface.md')
    ap.add_argument('--self-test', action='store_true')
    args = ap.parse_args()
    if args.self_test:
        return self_test()
    doc = args.doc or os.path.join(args.root, 'docs', 'interface.md')
    return 1 if check(args.root, doc) else 0


if __name__ == '__main__':
    sys.exit(main())
