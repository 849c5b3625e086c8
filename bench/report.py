"""A plain-text table of results, with each target and whether it was met."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    """One measurement; ``label == "section"`` starts a new block titled ``value``."""

    label: str
    value: str
    target: tuple[str, bool] | None = None  # (the target, met?)


def table(rows: list[Row]) -> str:
    width = max(len(r.label) for r in rows if r.label != "section")
    value_width = max(len(r.value) for r in rows if r.label != "section")
    lines: list[str] = []
    for row in rows:
        if row.label == "section":
            lines += ["", row.value, "-" * len(row.value)]
            continue
        line = f"  {row.label:<{width}}  {row.value:>{value_width}}"
        if row.target is not None:
            text, met = row.target
            line += f"   target {text}: {'met' if met else 'MISSED'}"
        lines.append(line.rstrip())
    return "\n".join(lines).lstrip("\n")
