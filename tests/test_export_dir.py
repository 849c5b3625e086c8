"""What an export folder holds: an earlier export's files, and anything else."""

from __future__ import annotations

from pathlib import Path

import pytest

from viewer import export_dir


def _make(root: Path, names: list[str]) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith("/"):
            path.mkdir()
        else:
            path.write_text("x")


@pytest.mark.parametrize(
    ("names", "unrelated"),
    [
        (["README.txt", "faces.csv", "group.json", "images/0001_a.jpg"], []),
        (["contact_sheet.jpg", "review_log.csv", "apply_log.csv", "images/00012_b-c.d.jpg"], []),
        (["README.txt", "notes.txt"], ["notes.txt"]),
        (
            ["images/0001_a.jpg", "images/cover.jpg", "images/sub/"],
            ["images/cover.jpg", "images/sub"],
        ),
        (["faces.csv/"], ["faces.csv/"]),
        (["images/001_a.jpg"], ["images/001_a.jpg"]),  # fewer than four digits: not ours
    ],
)
def test_unrelated_files_are_those_no_export_writes(
    tmp_path: Path, names: list[str], unrelated: list[str]
) -> None:
    _make(tmp_path, names)
    assert export_dir.unrelated_files(tmp_path) == unrelated


def test_a_link_is_unrelated_and_clearing_never_follows_it(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    _make(elsewhere, ["0001_mine.jpg"])
    out = tmp_path / "out"
    _make(out, ["README.txt"])
    (out / "images").symlink_to(elsewhere, target_is_directory=True)
    assert export_dir.unrelated_files(out) == ["images"]
    assert export_dir.refusal(out, overwrite=True) is not None
    export_dir.clear_export(out)
    assert (elsewhere / "0001_mine.jpg").exists()


def test_clear_export_removes_the_export_and_its_empty_images_folder(tmp_path: Path) -> None:
    _make(tmp_path, ["README.txt", "faces.csv", "contact_sheet.png", "images/0001_a.jpg"])
    assert export_dir.clear_export(tmp_path) == 4
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("names", "overwrite", "refused"),
    [
        ([], False, False),
        (["README.txt"], False, True),
        (["README.txt"], True, False),
        (["README.txt", "mine.doc"], True, True),
    ],
)
def test_refusal_only_for_a_folder_that_would_mix_exports(
    tmp_path: Path, names: list[str], overwrite: bool, refused: bool
) -> None:
    _make(tmp_path, names)
    assert (export_dir.refusal(tmp_path, overwrite) is not None) is refused
