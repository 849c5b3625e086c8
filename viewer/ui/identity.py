"""Identity evidence on the page: same-photo conflicts and each face's distance to its group.

Scoring runs in the background (``resources.scorer``); each run asks for the faces in view
first and shows what has arrived. While scoring goes on, a small fragment checks its progress
and reruns the page when enough new faces are scored, so the views fill in by themselves.
Compare and Browse use the same scorer for groups' centres (``centres``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import streamlit as st

from viewer.compose import Badge
from viewer.config import Settings
from viewer.draw.color import Color
from viewer.identity.conflicts import find_conflicts
from viewer.identity.distance import FLAG_DISTANCE, GroupDistances
from viewer.identity.model import OFF_MESSAGE
from viewer.identity.scorer import Scorer, ScoreStatus
from viewer.models import Face, Group
from viewer.ui import resources

SOMEONE_ELSE = "may be someone else"
SOMEONE_ELSE_BADGE = Badge("≠", Color.from_hex("#CC79A7"))  # Okabe–Ito reddish purple
REFRESH_S = 3.0
REFRESH_EVERY = 0.05  # rerun the page when this share of the group's faces has newly arrived


@dataclass(frozen=True)
class Evidence:
    """What the views show about who each face is."""

    distances: Mapping[str, float] = field(default_factory=dict)  # scored faces, by key
    flagged: frozenset[str] = frozenset()  # faces that may be someone else
    conflicts: Mapping[str, Sequence[str]] = field(default_factory=dict)  # words, by key
    not_scored: Mapping[str, str] = field(default_factory=dict)  # why not, by key
    threshold: float = FLAG_DISTANCE
    scored: int = 0
    total: int = 0
    message: str | None = None  # why nothing is scored (the model could not load)

    def reasons(self, face: Face) -> list[str]:
        """This face's identity flags, worded as the other flags are."""
        words = list(self.conflicts.get(face.key, ()))
        if face.key in self.flagged:
            words.append(f"{SOMEONE_ELSE} (distance {self.distances[face.key]:.2f})")
        return words

    def badges(self) -> dict[str, tuple[Badge, ...]]:
        return {key: (SOMEONE_ELSE_BADGE,) for key in self.flagged}

    def matches(self, face: Face, which: str) -> bool:
        """Whether ``face`` passes the identity filter ``which`` (a key of
        ``state.IDENTITY_FILTERS``)."""
        conflict, other = face.key in self.conflicts, face.key in self.flagged
        return {"conflict": conflict, "someone_else": other, "either": conflict or other}.get(
            which, True
        )

    def typicality(self) -> Callable[[Face], float] | None:
        """An ordering of the group's most typical faces first (nearest the centre); None
        while no face is scored."""
        if not self.distances:
            return None
        distances = self.distances
        return lambda face: distances.get(face.key, math.inf)


def distance_text(evidence: Evidence, face: Face) -> str:
    """``"distance 0.62 ≠"``, ``"not scored: …"`` or ``""`` while the face waits its turn."""
    if face.key in evidence.distances:
        mark = " ≠" if face.key in evidence.flagged else ""
        return f"distance {evidence.distances[face.key]:.2f}{mark}"
    if face.key in evidence.not_scored:
        return f"not scored: {evidence.not_scored[face.key]}"
    return ""


def evidence(
    s: Settings, group: Group, first: Sequence[Face], threshold: float = FLAG_DISTANCE
) -> Evidence:
    """Ask for the group's faces to be scored (``first`` ahead) and say what is known now."""
    conflicts = {
        key: tuple(dict.fromkeys(c.words for c in found))
        for key, found in find_conflicts(group.faces).items()
    }
    if not s.face_model:
        return Evidence(conflicts=conflicts, total=len(group.faces))
    scorer = resources.scorer(s)
    status = scorer.model_status
    if not status.available:
        return Evidence(conflicts=conflicts, total=len(group.faces), message=status.message)
    scorer.request(group, first)
    found = scorer.distances(group, threshold)
    now = scorer.status(group)
    return Evidence(
        distances=found.distance,
        flagged=found.flagged(),
        conflicts=conflicts,
        not_scored=scorer.not_scored(group),
        threshold=found.threshold,
        scored=now.done,
        total=now.total,
    )


def summary(ev: Evidence) -> None:
    """One line under the header: how far scoring has come, what it found, the conflicts."""
    if ev.message:
        st.info(ev.message + " Identity distances are not shown; everything else works.")
    parts = []
    if ev.total and not ev.message and ev.distances is not None:
        parts.append(f"{ev.scored:,} of {ev.total:,} faces scored")
        parts.append(f"{len(ev.flagged):,} {SOMEONE_ELSE} (distance above {ev.threshold:.2f})")
    if ev.conflicts:
        parts.append(f"{len(ev.conflicts):,} faces in same-photo conflicts")
    if parts:
        st.caption("Identity: " + " · ".join(parts))


@dataclass(frozen=True)
class Centres:
    """Groups' centres from the faces scored so far, by the caller's names for the groups."""

    found: Mapping[str, GroupDistances] = field(default_factory=dict)
    totals: Mapping[str, int] = field(default_factory=dict)  # faces asked for, by name
    scored: int = 0  # faces scored so far, over every group
    finished: bool = True  # every face asked for is scored or settled
    message: str | None = None  # why there are no centres: scoring is off or cannot load


def centres(
    s: Settings, groups: Mapping[str, Group], first: Mapping[str, Sequence[Face]] | None = None
) -> Centres:
    """Ask for every face of ``groups`` to be scored (``first[name]`` ahead of the rest of its
    group) and give each group's centre from what is scored now."""
    if not s.face_model:
        return Centres(message=OFF_MESSAGE)
    scorer = resources.scorer(s)
    if not scorer.model_status.available:
        return Centres(message=scorer.model_status.message or OFF_MESSAGE)
    for name, group in groups.items():
        scorer.request(group, (first or {}).get(name, ()))
    now = {name: scorer.status(group) for name, group in groups.items()}
    return Centres(
        found={name: scorer.distances(group) for name, group in groups.items()},
        totals={name: status.total for name, status in now.items()},
        scored=sum(status.done for status in now.values()),
        finished=all(status.finished for status in now.values()),
    )


def _status(scorer: Scorer, groups: Sequence[Group]) -> ScoreStatus:
    """The progress of several groups as one."""
    each = [scorer.status(g) for g in groups]
    return ScoreStatus(
        sum(x.total for x in each),
        sum(x.done for x in each),
        sum(x.failed for x in each),
        scorer.model_status,
    )


def watch(s: Settings, groups: Group | Sequence[Group], scored: int) -> None:
    """While faces of ``groups`` are still being scored (``scored`` of them when the page was
    drawn), rerun the page as enough of them arrive."""
    if not s.face_model:
        return
    watched = [groups] if isinstance(groups, Group) else list(groups)
    scorer = resources.scorer(s)
    if not scorer.model_status.available or _status(scorer, watched).finished:
        return

    @st.fragment(run_every=REFRESH_S)
    def progress() -> None:
        now = _status(scorer, watched)
        done = now.done + now.failed
        if now.finished or now.done - scored >= max(1, int(now.total * REFRESH_EVERY)):
            st.rerun(scope="app")
        st.progress(done / max(1, now.total), text=f"Scoring faces: {done:,} of {now.total:,}")

    progress()
