"""Markdown tables of pandas frames, through ``DataFrame.to_markdown`` (tabulate)."""

from __future__ import annotations

import pandas as pd


def markdown_table(frame: pd.DataFrame) -> str:
    """A frame as a GitHub Markdown table: the index dropped, every cell as the text it
    holds (tabulate's number parsing is off, so '1e+03' or '+2' stay as written) and a
    '|' inside a cell escaped."""
    cells = frame.astype(str).apply(lambda column: column.str.replace("|", "\\|", regex=False))
    return cells.to_markdown(index=False, tablefmt="github", disable_numparse=True)
