#!/usr/bin/env python3
# Copyright 2026 Sales Process Automation
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Check the add-on's translations: fail when the .pot is stale or a catalogue
is incomplete.

    check_translations.py EXPORTED_POT I18N_DIR [LANG ...]

EXPORTED_POT is the template exported from a database with the add-on
installed (``odoo i18n export``); I18N_DIR holds the committed
sales_process_automation.pot and LANG.po (zh_CN, ru and fr by default).
Every problem is printed; the exit status is 1 when there is any.
"""

import sys
from pathlib import Path

import polib

DEFAULT_LANGS = ("zh_CN", "ru", "fr")


def msgids(catalogue):
    return {(entry.msgctxt, entry.msgid) for entry in catalogue if not entry.obsolete}


def check(exported_pot, i18n_dir, langs):
    problems = []
    committed_path = i18n_dir / "sales_process_automation.pot"
    exported = msgids(polib.pofile(str(exported_pot)))
    committed = msgids(polib.pofile(str(committed_path)))
    for _ctx, msgid in sorted(exported - committed):
        problems.append(f"{committed_path.name}: missing (re-export it): {msgid!r}")
    for _ctx, msgid in sorted(committed - exported):
        problems.append(f"{committed_path.name}: no longer in the code: {msgid!r}")
    for lang in langs:
        path = i18n_dir / f"{lang}.po"
        if not path.exists():
            problems.append(f"{path.name}: missing")
            continue
        catalogue = polib.pofile(str(path))
        for entry in catalogue:
            if entry.obsolete:
                continue
            if "fuzzy" in entry.flags:
                problems.append(f"{path.name}:{entry.linenum}: fuzzy: {entry.msgid!r}")
            elif not entry.translated():
                problems.append(
                    f"{path.name}:{entry.linenum}: untranslated: {entry.msgid!r}"
                )
            if (entry.msgctxt, entry.msgid) not in committed:
                problems.append(
                    f"{path.name}:{entry.linenum}: not in the .pot: {entry.msgid!r}"
                )
    return problems


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    problems = check(Path(argv[1]), Path(argv[2]), argv[3:] or DEFAULT_LANGS)
    for problem in problems:
        print(problem)
    print(f"{len(problems)} translation problem(s)" if problems else "OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
