"""The demo's people as a face model sees them: dlib's descriptor from the API's own box.

Person A's two groups are one person to the model, B is another; demo-large's planted faces
lie farther from the group's centre than its own person's faces.
"""

from __future__ import annotations

import io
import random
from typing import Any

import numpy as np
import pytest
from PIL import Image

from viewer.demo import build_data_set
from viewer.demo.dataset import DataSet

dlib = pytest.importorskip("dlib")
models = pytest.importorskip("face_recognition_models")

SAME_PERSON = 0.35  # centres of two groups of one person lie closer than this
OTHER_PERSON = 0.5  # centres of two people lie farther apart than this


@pytest.fixture(scope="module")
def data() -> DataSet:
    return build_data_set("http://127.0.0.1:1", large_faces=400, large_photos=60)


@pytest.fixture(scope="module")
def model() -> tuple[Any, Any]:
    predictor = dlib.shape_predictor(models.pose_predictor_five_point_model_location())
    encoder = dlib.face_recognition_model_v1(models.face_recognition_model_location())
    return predictor, encoder


def descriptors(data: DataSet, model: tuple[Any, Any], images: list[dict]) -> np.ndarray:
    """One 128-d descriptor per face, from its served JPEG and its fraction box."""
    predictor, encoder = model
    out = []
    for image in images:
        payload = data.render(image["url"].removeprefix(data.base_url))
        rgb = np.asarray(Image.open(io.BytesIO(payload.body)).convert("RGB"))
        h, w = rgb.shape[:2]
        box = image["boundingBox"]
        rect = dlib.rectangle(
            round(box["xMin"] * w),
            round(box["yMin"] * h),
            round(box["xMax"] * w),
            round(box["yMax"] * h),
        )
        out.append(np.array(encoder.compute_face_descriptor(rgb, predictor(rgb, rect))))
    return np.stack(out)


def centre(data: DataSet, model: tuple[Any, Any], group_id: str) -> np.ndarray:
    images = data.groups[("acme", group_id)]["images"]
    return np.median(descriptors(data, model, images), axis=0)


def test_a1_and_a2_are_one_person_and_b_another(data: DataSet, model: tuple[Any, Any]) -> None:
    a1, a2, b = (
        centre(data, model, g) for g in ("demo-person-a1", "demo-person-a2", "demo-person-b")
    )
    assert np.linalg.norm(a1 - a2) < SAME_PERSON
    assert np.linalg.norm(a1 - b) > OTHER_PERSON
    assert np.linalg.norm(a2 - b) > OTHER_PERSON


def test_planted_faces_of_demo_large_lie_far_from_its_centre(
    data: DataSet, model: tuple[Any, Any]
) -> None:
    images = data.groups[("acme", "demo-large")]["images"]
    planted = [i for i in images if i["id"] in data.impostor_ids]
    own = random.Random(5).sample([i for i in images if i["id"] not in data.impostor_ids], 40)
    own_d, planted_d = descriptors(data, model, own), descriptors(data, model, planted)
    middle = np.median(own_d, axis=0)
    own_dist = np.linalg.norm(own_d - middle, axis=1)
    planted_dist = np.linalg.norm(planted_d - middle, axis=1)
    assert len(planted) == 8
    assert planted_dist.min() > np.percentile(own_dist, 90)
    assert np.median(planted_dist) > OTHER_PERSON
