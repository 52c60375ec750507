"""CSV that is safe to open in a spreadsheet: every CSV the project writes goes through here.

A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel, LibreOffice and Google Sheets as a formula (``=HYPERLINK(...)`` in a record title would
become a live link, ``=cmd|...`` worse). As OWASP recommends, such a cell is prefixed with a
single quote, which the spreadsheet shows as text. A list of words becomes ``a; b`` (the form
the corpus CSV reader takes back); any other list or mapping becomes JSON, never a Python repr.

Example:
    >>> print(csv_text([{"title": '=HYPERLINK("http://x","click")', "tags": ["a", "b"]}]), end="")
    title,tags
    "'=HYPERLINK(""http://x"",""click"")",a; b
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

#: Characters that make a spreadsheet read a cell as a formula when it starts with one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value`` as a CSV cell a spreadsheet shows as text: lists and mappings spelled out,
    formula starts neutralised. Numbers, booleans and None pass unchanged."""
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return value
    if isinstance(value, Mapping) or (
        isinstance(value, Sequence)
        and not isinstance(value, str)
        and not all(isinstance(v, str) for v in value)
    ):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, Sequence) and not isinstance(value, str):
        text = "; ".join(value)
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(rows: Sequence[Mapping[str, Any]]) -> str:
    """``rows`` as CSV with a header row (the first row's keys), every cell made safe; the
    empty string when there are no rows."""
    if not rows:
        return ""
    buffer = io.StringIO()
    writer = csv.DictWriter(
        buffer, fieldnames=list(rows[0]), lineterminator="\n", extrasaction="ignore"
    )
    writer.writeheader()
    for row in rows:
        writer.writerow({key: safe_cell(value) for key, value in row.items()})
    return buffer.getvalue()
