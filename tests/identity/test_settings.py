"""The identity settings: the model switch and files, workers, the cache's folder and size."""

from __future__ import annotations

from pathlib import Path

import pytest

from viewer.config import Settings, load_settings
from viewer.exceptions import ConfigError


def load(tmp_path: Path, env: dict[str, str]) -> Settings:
    return load_settings(env=env, secrets_paths=(tmp_path / "absent.toml",))


@pytest.mark.parametrize(
    ("env", "field", "value"),
    [
        pytest.param({}, "face_model", True, id="model-on-by-default"),
        pytest.param({"II_FACE_MODEL": "off"}, "face_model", False, id="model-off"),
        pytest.param({"II_FACE_MODEL": "0"}, "face_model", False, id="model-0"),
        pytest.param({"II_FACE_MODEL": "on"}, "face_model", True, id="model-on"),
        pytest.param(
            {"II_FACE_MODEL_DIR": "/opt/models"}, "face_model_dir", "/opt/models", id="dir"
        ),
        pytest.param({}, "face_workers", None, id="workers-from-the-machine"),
        pytest.param({"II_FACE_WORKERS": "1"}, "face_workers", 1, id="one-worker"),
        pytest.param({}, "descriptor_cache_mb", 64, id="cache-64-mb"),
        pytest.param({"II_DESCRIPTOR_CACHE_MB": "8"}, "descriptor_cache_mb", 8, id="cache-8-mb"),
    ],
)
def test_identity_settings(tmp_path: Path, env: dict, field: str, value: object) -> None:
    assert getattr(load(tmp_path, env), field) == value


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        pytest.param({}, Path.home() / ".cache" / "group-viewer", id="home"),
        pytest.param({"XDG_CACHE_HOME": "/x/cache"}, Path("/x/cache/group-viewer"), id="xdg"),
        pytest.param(
            {"XDG_CACHE_HOME": "/x/cache", "II_CACHE_DIR": "/y/gv"}, Path("/y/gv"), id="setting"
        ),
    ],
)
def test_cache_folder(tmp_path: Path, env: dict, expected: Path) -> None:
    assert load(tmp_path, env).cache_path == expected


@pytest.mark.parametrize(
    ("env", "words"),
    [
        pytest.param({"II_FACE_MODEL": "perhaps"}, "II_FACE_MODEL must be 1 or 0", id="switch"),
        pytest.param({"II_FACE_WORKERS": "0"}, "II_FACE_WORKERS must lie between", id="workers"),
        pytest.param(
            {"II_DESCRIPTOR_CACHE_MB": "lots"}, "II_DESCRIPTOR_CACHE_MB must be a whole", id="mb"
        ),
    ],
)
def test_bad_values_name_the_setting(tmp_path: Path, env: dict, words: str) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, env)
    assert words in info.value.message
