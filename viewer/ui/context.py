"""What each view is drawn with: the session's values and callbacks it needs, handed in."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from viewer.compose import ViewOptions
from viewer.config import Settings
from viewer.pipeline import Pipeline


@dataclass(frozen=True)
class Pager:
    """A page number kept in the session under ``key``, the pagination widget's key."""

    key: str
    page: Callable[[int], int]  # the kept page for this many pages, clamped to 1..count


@dataclass(frozen=True)
class ViewContext:
    """What every view of a loaded group is drawn with."""

    pipe: Pipeline
    options: ViewOptions
    flags: Mapping[str, Sequence[str]]  # each flagged face's reasons, by face key
    open_face: Callable[[int], None]  # opens the face with this index in Detail


@dataclass(frozen=True)
class PagedContext(ViewContext):
    """Gallery and Faces: a page of images or faces at a time."""

    pager: Pager
    per_page: int  # images (Gallery) or faces (Faces) on a page


@dataclass(frozen=True)
class TableContext(ViewContext):
    pager: Pager  # the table's own page, of a fixed number of rows
    selection: Callable[[], list[int]]  # positions of the selected rows on the table's page


@dataclass(frozen=True)
class DetailContext(ViewContext):
    face: int | None  # index of the face open; None: the first face shown
    keep_face: Callable[[int], None]  # makes another face the open one, staying in Detail


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
    add_to_compare: Callable[[str], None]  # adds a group ID to the groups compared


@dataclass(frozen=True)
class CompareContext(GroupsContext):
    group_ids: Sequence[str]  # the groups to show side by side
