"""The face model behind a small interface: descriptors for the faces of one image.

The implementation is dlib's ResNet descriptor (``dlib-bin``) computed from the API's own box
through dlib's 5-point shape predictor, with the model files of ``face-recognition-models``.
When either is missing, ``check_model`` says so in one sentence and nothing else breaks.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from viewer.config import Settings
from viewer.decoding import decode, orient
from viewer.exceptions import ImageError, ViewerError

PixelBox = tuple[int, int, int, int]  # xyxy in whole pixels of the upright image

SHAPE_FILE = "shape_predictor_5_face_landmarks.dat"
RECOGNITION_FILE = "dlib_face_recognition_resnet_model_v1.dat"
DESCRIPTOR_SIZE = 128
MIN_FACE_PX = 20  # dlib's descriptor needs a face at least this big on its shorter side
OFF_MESSAGE = "Identity scoring is off (II_FACE_MODEL=off): distances are not computed."


class ModelUnavailableError(ViewerError):
    default_message = "The face model could not be loaded: identity distances are not shown."


@dataclass(frozen=True)
class ModelStatus:
    """Whether faces can be scored; ``message`` is the one sentence to show when they cannot."""

    available: bool
    version: str | None = None
    message: str | None = None


class FaceModel(Protocol):
    """Anything that turns faces of one image into descriptors compared by Euclidean distance."""

    version: str

    def describe(self, rgb: np.ndarray, boxes: Sequence[PixelBox]) -> list[np.ndarray]:
        """One float32 descriptor per box, in order, for an upright HxWx3 uint8 image."""
        ...


def model_folder(settings: Settings) -> Path | None:
    """Where the model files are: the setting, else the face_recognition_models package.

    The package is located without importing it (it needs setuptools' pkg_resources).
    """
    if settings.face_model_dir:
        return Path(settings.face_model_dir).expanduser()
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def _version(folder: Path) -> str:
    import dlib

    sizes = ", ".join(
        f"{name} {(folder / name).stat().st_size}" for name in (SHAPE_FILE, RECOGNITION_FILE)
    )
    return f"dlib {dlib.__version__}; {sizes}"


def check_model(settings: Settings) -> ModelStatus:
    """Can faces be scored? Cheap: checks the switch, that dlib imports and the files exist."""
    if not settings.face_model:
        return ModelStatus(False, message=OFF_MESSAGE)
    try:
        import dlib  # noqa: F401
    except Exception as error:
        return ModelStatus(
            False,
            message=f"The face model is not installed (dlib failed to import: "
            f"{type(error).__name__}): install dlib-bin to see identity distances.",
        )
    folder = model_folder(settings)
    if folder is None:
        return ModelStatus(
            False,
            message="The face model's files are not installed: install face-recognition-models "
            "or set II_FACE_MODEL_DIR to see identity distances.",
        )
    missing = [name for name in (SHAPE_FILE, RECOGNITION_FILE) if not (folder / name).is_file()]
    if missing:
        return ModelStatus(
            False,
            message=f"The face model file {missing[0]} is missing from {str(folder)!r}: "
            "reinstall face-recognition-models or fix II_FACE_MODEL_DIR.",
        )
    return ModelStatus(True, version=_version(folder))


class DlibModel:
    """dlib's ResNet face descriptor, aligned by the 5-point shape predictor on the given box."""

    def __init__(self, folder: Path) -> None:
        try:
            import dlib

            self._dlib: Any = dlib
            self._shape = dlib.shape_predictor(str(folder / SHAPE_FILE))
            self._net = dlib.face_recognition_model_v1(str(folder / RECOGNITION_FILE))
            self.version = _version(folder)
        except Exception as error:
            raise ModelUnavailableError(
                f"The face model in {str(folder)!r} could not be loaded "
                f"({type(error).__name__}): reinstall face-recognition-models."
            ) from None

    def describe(self, rgb: np.ndarray, boxes: Sequence[PixelBox]) -> list[np.ndarray]:
        if not boxes:
            return []
        shapes = self._dlib.full_object_detections()
        for x0, y0, x1, y1 in boxes:
            shapes.append(self._shape(rgb, self._dlib.rectangle(x0, y0, x1 - 1, y1 - 1)))
        vectors = self._net.compute_face_descriptor(rgb, shapes)
        return [np.asarray(v, dtype=np.float32) for v in vectors]


def pixel_box(xyxy: tuple[float, float, float, float]) -> PixelBox:
    """A box rounded to whole pixels, as the model and the cache key see it."""
    x0, y0, x1, y1 = (round(v) for v in xyxy)
    return (x0, y0, max(x1, x0 + 1), max(y1, y0 + 1))


# --- in a worker process --------------------------------------------------------------------

_models: dict[str, FaceModel] = {}


def load_once(folder: str) -> FaceModel:
    """The model in ``folder``, loaded once per process."""
    model = _models.get(folder)
    if model is None:
        model = _models[folder] = DlibModel(Path(folder))
    return model


def describe_image(
    folder: str, data: bytes, boxes: Sequence[PixelBox], orientation: int, max_pixels: int
) -> list[bytes | str]:
    """Descriptors (float32 bytes) for boxes on the upright image ``data`` holds.

    An image that cannot be decoded gives its reason for every box; a model that cannot load
    raises ModelUnavailableError.
    """
    model = load_once(folder)
    try:
        decoded = decode(data, max_pixels)
    except ImageError as error:
        return [error.message] * len(boxes)
    rgb = np.asarray(orient(decoded.image, orientation).convert("RGB"), dtype=np.uint8)
    return [v.tobytes() for v in model.describe(rgb, boxes)]


def warm(folder: str) -> str:
    """Load the model in this worker ahead of the first image; returns its version."""
    return load_once(folder).version
