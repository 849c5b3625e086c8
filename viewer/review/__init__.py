"""The verdict store: analysts' verdicts on faces, with history, in SQLite or PostgreSQL.

``open_store(settings)`` opens (and on first use creates and migrates) the database;
``VerdictStore`` records, undoes and reads verdicts. Nothing here imports Streamlit. Catch
``StoreUnavailableError`` once around the store: the viewer then goes on without verdicts.

The names below are loaded on first use, so importing ``viewer.review.cli`` (as the command
line does for every command) does not load SQLAlchemy.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "open_store": "viewer.review.store",
    "VerdictStore": "viewer.review.store",
    "ApplyBatch": "viewer.review.apply_log",
    "ApplyLog": "viewer.review.apply_log",
    "InvalidVerdictError": "viewer.exceptions",
    "ReviewError": "viewer.exceptions",
    "StoreUnavailableError": "viewer.exceptions",
    **{
        name: "viewer.review.values"
        for name in (
            "BELONGS",
            "NOT_THIS_PERSON",
            "UNSURE",
            "VERDICTS",
            "VERDICT_WORDS",
            "Action",
            "Changes",
            "Counts",
            "Verdict",
            "VerdictEvent",
        )
    },
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'viewer.review' has no attribute {name!r}")
    return getattr(import_module(_WHERE[name]), name)
