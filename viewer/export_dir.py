"""An export folder holds one export: what an earlier export wrote there, and clearing it.

``write_dir`` writes into a folder; these say whether the folder is free for it, and remove an
earlier export's files (known names only) when the analyst asks to overwrite it.
"""

from __future__ import annotations

import re
from pathlib import Path

EXPORT_FILES = frozenset(
    {
        "README.txt",
        "faces.csv",
        "group.json",
        "review_log.csv",
        "apply_log.csv",
        "contact_sheet.png",
        "contact_sheet.jpg",
    }
)
IMAGES = "images"
IMAGE_FILE = re.compile(r"\d{4,}_[A-Za-z0-9._-]+\.jpg")  # as export.image_file_names makes


def is_empty(root: Path) -> bool:
    """Whether ``root`` is missing or a folder with nothing in it."""
    return not root.exists() or not any(root.iterdir())


def unrelated_files(root: Path) -> list[str]:
    """Paths under ``root`` (relative, sorted) that no export writes: anything but the export's
    files and ``images/NNNN_name.jpg``. Links count as unrelated, so clearing never follows one."""
    found: list[str] = []
    for entry in root.iterdir():
        if entry.is_symlink():
            found.append(entry.name)
        elif entry.name == IMAGES and entry.is_dir():
            for image in entry.iterdir():
                known = IMAGE_FILE.fullmatch(image.name) and image.is_file()
                if not known or image.is_symlink():
                    found.append(f"{IMAGES}/{image.name}")
        elif not (entry.name in EXPORT_FILES and entry.is_file()):
            found.append(entry.name + ("/" if entry.is_dir() else ""))
    return sorted(found)


def clear_export(root: Path) -> int:
    """Remove an earlier export's files from ``root``; returns how many were removed.

    Call only when ``unrelated_files(root)`` is empty: only known names are touched.
    """
    removed = 0
    for name in EXPORT_FILES:
        path = root / name
        if path.is_file() and not path.is_symlink():
            path.unlink()
            removed += 1
    images = root / IMAGES
    if images.is_dir() and not images.is_symlink():
        for image in images.iterdir():
            if IMAGE_FILE.fullmatch(image.name) and image.is_file() and not image.is_symlink():
                image.unlink()
                removed += 1
        if not any(images.iterdir()):
            images.rmdir()
    return removed


def refusal(root: Path, overwrite: bool) -> str | None:
    """Why an export cannot be written into ``root`` as asked (one sentence), or None."""
    if is_empty(root):
        return None
    shown = repr(str(root))
    if not overwrite:
        return (
            f"{shown} is not empty; choose an empty folder for --out, or pass --overwrite to "
            "replace the earlier export in it."
        )
    unrelated = unrelated_files(root)
    if unrelated:
        listed = ", ".join(unrelated[:5]) + (", …" if len(unrelated) > 5 else "")
        return (
            f"{shown} holds files that are not part of an export ({listed}); --overwrite "
            "removes only an earlier export's files, so choose an empty folder for --out."
        )
    return None
