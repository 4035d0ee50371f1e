"""Where each value of a JSON document sits in its file: JSON Pointer → line number.

The standard ``json`` parser keeps no positions, so a validation issue at ``/jabatan/nama`` of a pretty-printed
file could only name the line the document starts on. :func:`pointer_lines` scans the (already parsed, hence
valid) text of one document once more with a token regex and records the line of every member and item. It is
called lazily, only for documents that have an issue, so valid batches pay nothing.
"""

from __future__ import annotations

import json
import re

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\]:,]|[^\s{}\[\]:,"]+|\s+')


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def pointer_lines(text: str, start: int, end: int, first_line: int) -> dict[str, int]:
    """``pointer -> line`` for the JSON value in ``text[start:end]``, whose first character is on ``first_line``.

    A member's line is the line of its key (``"nip": ...``); an item's line is where the item starts.
    """
    lines: dict[str, int] = {}
    # one frame per open container: [pointer, is_object, next index, key waiting for its value, line of that key]
    stack: list[list] = []
    line = first_line
    expecting_key = False
    for match in _TOKEN.finditer(text, start, end):
        token = match.group()
        first = token[0]
        if first in " \t\r\n":
            line += token.count("\n")
            continue
        if first == ",":
            top = stack[-1]
            if top[1]:
                expecting_key = True
            else:
                top[2] += 1
            continue
        if first == ":":
            continue
        if first in "}]":
            stack.pop()
            expecting_key = False
            continue
        if expecting_key and first == '"':
            stack[-1][3], stack[-1][4] = json.loads(token), line
            expecting_key = False
            continue
        # a value starts here
        if not stack:
            pointer, at = "", line
        elif stack[-1][1]:
            pointer, at = f"{stack[-1][0]}/{_escape(stack[-1][3])}", stack[-1][4]
        else:
            pointer, at = f"{stack[-1][0]}/{stack[-1][2]}", line
        lines[pointer] = at
        if first in "{[":
            stack.append([pointer, first == "{", 0, "", line])
            expecting_key = first == "{"
    return lines
