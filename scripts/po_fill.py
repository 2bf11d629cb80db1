#!/usr/bin/env python3
"""Fill or correct translations in a .po file from a JSON {msgid: msgstr} map; clears fuzzy flags on them.

Usage: scripts/po_fill.py flokk/locale/sv/LC_MESSAGES/django.po translations.json
Only single-line, non-plural msgids are handled; anything else is left for a translator's editor.
"""

import json
import re
import sys
from pathlib import Path


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def unquote(lines: list[str]) -> str:
    joined = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', "\n".join(lines)))
    return joined.encode().decode("unicode_escape").encode("latin-1").decode("utf-8")


def main(po_path: str, json_path: str) -> None:
    wanted = json.loads(Path(json_path).read_text(encoding="utf-8"))
    blocks = Path(po_path).read_text(encoding="utf-8").split("\n\n")
    done = set()
    for index, block in enumerate(blocks):
        lines = block.splitlines()
        starts = [i for i, line in enumerate(lines) if line.startswith("msgid ")]
        if not starts or any(line.startswith("msgid_plural") for line in lines):
            continue
        i = starts[0]
        j = next(k for k in range(i + 1, len(lines)) if lines[k].startswith("msgstr"))
        msgid = unquote(lines[i:j])
        if msgid not in wanted:
            continue
        comments = [line for line in lines[:i] if not line.startswith("#|")]
        comments = [re.sub(r",\s*fuzzy", "", c) if c.startswith("#,") else c for c in comments]
        comments = [c for c in comments if c.strip() not in ("#", "#,")]
        blocks[index] = "\n".join([*comments, *lines[i:j], "msgstr " + quote(wanted[msgid])])
        done.add(msgid)
    Path(po_path).write_text("\n\n".join(blocks), encoding="utf-8")
    missing = set(wanted) - done
    if missing:
        sys.exit(f"not in {po_path}: {sorted(missing)}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
