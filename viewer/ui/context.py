"""What each view is drawn with: the session's values and callbacks it needs, handed in."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from viewer.api import Client
from viewer.compose import ViewOptions
from viewer.config import Settings
from viewer.models import Face, Group
from viewer.pipeline import Pipeline
from viewer.review.apply import ApplyResult, Prepared
from viewer.review.apply_log import ApplyBatch
from viewer.review.board import Board
from viewer.review.store import VerdictStore
from viewer.review.values import Verdict
from viewer.ui.identity import Evidence


def _ignore(*_: object) -> None:
    """What a verdict action does where verdicts cannot be recorded: nothing."""


@dataclass(frozen=True)
class Pager:
    """A page number kept in the session under ``key``, the pagination widget's key."""

    key: str
    page: Callable[[int], int]  # the kept page for this many pages, clamped to 1..count


@dataclass(frozen=True)
class ReviewContext:
    """Verdicts as the views show them, and the actions the views offer on them.

    With no board (the store could not be used) views show no verdicts and offer none.
    """

    board: Board | None = None
    unavailable: str | None = None  # the store's sentence when it could not be used
    analyst: str | None = None  # who records verdicts; None: not known yet, buttons wait
    selected: frozenset[str] = frozenset()  # face keys selected, on every page
    # (face keys, verdict, analyst, key of the note's input, face index to show next)
    record: Callable[[Sequence[str], str, str, str | None, int | None], None] = _ignore
    # undoes this analyst's last action on the group; True: then shows the face it restored
    undo: Callable[[str, bool], None] = _ignore
    toggle: Callable[[str, int], None] = _ignore  # a tile's checkbox: (face key, face index)
    select: Callable[[Sequence[str]], None] = _ignore  # adds faces to the selection
    clear: Callable[[], None] = _ignore  # empties the selection
    show_selected: Callable[[Sequence[Face]], None] = _ignore  # ticks these tiles' boxes
    show_selected_rows: Callable[[Sequence[str]], None] = _ignore  # the table's page rows
    select_rows: Callable[[Sequence[str]], None] = _ignore  # the table's selection changed
    moves: Mapping[str, str] = field(default_factory=dict)  # face key -> the group it moves to
    # (face key, analyst, key of the group's input; None withdraws the move)
    move: Callable[[str, str, str | None], None] = _ignore

    @property
    def verdicts(self) -> Mapping[str, Verdict]:
        """Each face's current verdict, by face key."""
        return self.board.verdicts if self.board else {}

    @property
    def can_record(self) -> bool:
        return self.board is not None and self.analyst is not None


@dataclass(frozen=True)
class ViewContext:
    """What every view of a loaded group is drawn with."""

    pipe: Pipeline
    options: ViewOptions
    flags: Mapping[str, Sequence[str]]  # each flagged face's reasons, by face key
    open_face: Callable[[int], None]  # opens the face with this index in Detail
    review: ReviewContext = field(default_factory=ReviewContext, kw_only=True)
    evidence: Evidence = field(default_factory=Evidence, kw_only=True)  # who each face is


@dataclass(frozen=True)
class PagedContext(ViewContext):
    """Gallery and Faces: a page of images or faces at a time."""

    pager: Pager
    per_page: int  # images (Gallery) or faces (Faces) on a page


@dataclass(frozen=True)
class TableContext(ViewContext):
    pager: Pager  # the table's own page
    per_page: int  # rows on a page: the sidebar's page size


@dataclass(frozen=True)
class DetailContext(ViewContext):
    face: int | None  # index of the face open; None: the first face shown
    keep_face: Callable[[int], None]  # makes another face the open one, staying in Detail
    group_faces: Sequence[Face] = ()  # every face of the group, for its most typical ones


@dataclass(frozen=True)
class QueueContext(ViewContext):
    """The review queue: one face at a time, in ``order``."""

    order: Sequence[int]  # face indices in the queue's order
    face: int | None  # the face shown; None or one not in the queue: the first
    show_face: Callable[[int], None]  # shows another face of the queue


@dataclass(frozen=True)
class GroupsContext:
    """What Browse and Compare are drawn with: groups of the sidebar's namespace."""

    settings: Settings
    pipe: Pipeline
    options: ViewOptions
    namespace: str
    open_group: Callable[[str, str], None]  # loads (namespace, group ID) and inspects it


@dataclass(frozen=True)
class BrowseContext(GroupsContext):
    add_to_compare: Callable[..., None]  # adds group IDs to the groups compared
    open_id: str | None = None  # the loaded group, when it is of this namespace
    said: str | None = None  # what the last "Compare" button did


@dataclass(frozen=True)
class CompareContext(GroupsContext):
    group_ids: Sequence[str]  # the groups to show side by side


@dataclass(frozen=True)
class Applying:
    """The open group's apply, as this session left it: the preview shown (what the analyst
    is asked to confirm) or the last run's result; ``number`` counts previews and results,
    so each preview's confirmation starts unticked."""

    preview: Prepared | None = None
    result: ApplyResult | None = None
    number: int = 0
    notice: str | None = None  # shown with the preview: why it was made again


@dataclass(frozen=True)
class ApplyContext:
    """The "Apply to the API" panel of one group."""

    settings: Settings
    client: Client
    store: VerdictStore | None  # None: the store could not be used (``unavailable`` says why)
    unavailable: str | None
    namespace: str
    group_id: str  # as loaded (the API's group id may be spelled otherwise)
    group: Group
    analyst: str | None  # who applies; None: not known yet
    logged_in: bool  # login is configured and the analyst is logged in
    applying: Applying
    batches: Sequence[ApplyBatch]  # the group's apply log, oldest first
    keep_preview: Callable[[Prepared, str | None], Applying]  # (preview, notice): kept
    keep_result: Callable[[ApplyResult], None]
    reload_group: Callable[[], None]  # forgets the kept group, so the page reads it again
