"""The face model: descriptors from the API's box, and every way it can be unavailable."""

from __future__ import annotations

import shutil
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from viewer.config import Settings, load_settings
from viewer.demo import build_data_set
from viewer.demo.scenes import encode, render_photo
from viewer.hosts import HostPolicy
from viewer.identity.model import (
    DESCRIPTOR_SIZE,
    OFF_MESSAGE,
    RECOGNITION_FILE,
    SHAPE_FILE,
    DlibModel,
    ModelUnavailableError,
    check_model,
    describe_image,
    model_folder,
    pixel_box,
)
from viewer.identity.scorer import Scorer
from viewer.images import Fetcher

INSTALLED = model_folder(Settings())


@pytest.fixture(scope="module")
def photo() -> tuple[bytes, list[tuple[int, int, int, int]]]:
    """A demo frame with two people, and their boxes."""
    spec = build_data_set("http://127.0.0.1").photos["/images/photo/crowd-002.jpg"]
    return encode(render_photo(spec)), [pixel_box(f.xyxy) for f in spec.faces]


def test_installed_model_is_found() -> None:
    status = check_model(Settings())
    assert status.available and status.message is None
    assert status.version and "dlib" in status.version


def test_descriptors_tell_people_apart(photo: tuple[bytes, list]) -> None:
    """The same face twice gives the same descriptor; other people's faces lie farther."""
    data, boxes = photo
    assert INSTALLED is not None
    first, again, *others = describe_image(str(INSTALLED), data, [boxes[0], *boxes], 1, 10**8)
    vectors = [np.frombuffer(v, dtype=np.float32) for v in (first, again, *others)]
    assert vectors[0].shape == (DESCRIPTOR_SIZE,)
    assert np.array_equal(vectors[0], vectors[1])
    assert min(np.linalg.norm(vectors[0] - v) for v in vectors[3:]) > 0.05


def test_an_image_that_cannot_be_read_gives_its_reason() -> None:
    assert INSTALLED is not None
    found = describe_image(str(INSTALLED), b"not an image", [(0, 0, 40, 40)] * 2, 1, 10**8)
    assert found == ["The file is not an image the viewer can read."] * 2


@pytest.mark.parametrize(
    ("env", "words"),
    [
        pytest.param({"II_FACE_MODEL": "off"}, OFF_MESSAGE, id="switched-off"),
        pytest.param({"II_FACE_MODEL_DIR": "/nonexistent/models"}, SHAPE_FILE, id="missing-files"),
    ],
)
def test_unavailable_model_is_one_sentence(tmp_path: Path, env: dict, words: str) -> None:
    settings = load_settings(env=env, secrets_paths=(tmp_path / "none.toml",))
    status = check_model(settings)
    assert not status.available and status.version is None
    assert status.message is not None and words in status.message
    assert status.message.count(". ") == 0 and status.message.endswith(".")


def test_corrupt_model_file_is_refused(tmp_path: Path) -> None:
    assert INSTALLED is not None
    shutil.copy(INSTALLED / SHAPE_FILE, tmp_path / SHAPE_FILE)
    (tmp_path / RECOGNITION_FILE).write_bytes(b"\0" * 1000)
    with pytest.raises(ModelUnavailableError) as info:
        DlibModel(tmp_path)
    assert "could not be loaded" in info.value.message


def test_scorer_without_a_model_stays_out_of_the_way(
    tmp_path: Path, identity_settings: Settings, image_policy: HostPolicy, groups: dict
) -> None:
    """A missing model file: one sentence, nothing queued, nothing downloaded."""
    settings = replace(identity_settings, face_model_dir=str(tmp_path / "missing"))
    group = groups["demo-person-b"]
    with Fetcher(settings, image_policy) as fetcher, Scorer(fetcher) as scorer:
        assert not scorer.model_status.available
        assert SHAPE_FILE in (scorer.model_status.message or "")
        scorer.request(group)
        status = scorer.status(group)
        assert status.finished and status.done == 0 and fetcher.downloads == 0
        assert scorer.distances(group).used == 0


def test_a_model_that_fails_in_its_worker_says_so(
    tmp_path: Path, identity_settings: Settings, image_policy: HostPolicy, groups: dict
) -> None:
    """Files that pass the cheap check but do not load: the worker's sentence reaches the
    status, and the faces asked for are settled rather than left waiting."""
    assert INSTALLED is not None
    shutil.copy(INSTALLED / SHAPE_FILE, tmp_path / SHAPE_FILE)
    (tmp_path / RECOGNITION_FILE).write_bytes(b"\0" * 1000)
    settings = replace(identity_settings, face_model_dir=str(tmp_path), cache_dir=str(tmp_path))
    group = groups["demo-person-b"]
    with Fetcher(settings, image_policy) as fetcher, Scorer(fetcher, workers=1) as scorer:
        assert scorer.model_status.available  # the files are there
        scorer.request(group)
        status = scorer.wait(group, 120)
        deadline = time.monotonic() + 120
        while scorer.model_status.available and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not scorer.model_status.available
        assert "could not be loaded" in (scorer.model_status.message or "")
        assert status.finished and status.done == 0
