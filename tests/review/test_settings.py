"""The verdict store's settings: where the SQLite file goes, the database URL, the analyst."""

from __future__ import annotations

from pathlib import Path

import pytest

from viewer.config import Settings, default_review_db, load_settings
from viewer.exceptions import ConfigError

PASSWORD = "url-Secret-5521"


def load(tmp_path: Path, env: dict[str, str], secrets: str | None = None) -> Settings:
    path = tmp_path / "secrets.toml"
    if secrets is not None:
        path.write_text(secrets, encoding="utf-8")
    return load_settings(env=env, secrets_paths=(path,))


def test_the_default_file_is_in_the_users_data_folder(tmp_path: Path) -> None:
    home = load(tmp_path, {"HOME": "/home/ann"})
    assert home.review_db == Path("/home/ann/.local/share/group-viewer/review.sqlite3")
    xdg = load(tmp_path, {"HOME": "/home/ann", "XDG_DATA_HOME": "/data"})
    assert xdg.review_db == Path("/data/group-viewer/review.sqlite3")
    assert default_review_db({"XDG_DATA_HOME": "/x"}) == Path("/x/group-viewer/review.sqlite3")
    assert home.database_url is None and home.analyst is None and home.demo


def test_review_settings_come_from_the_environment_then_secrets(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://viewer:{PASSWORD}@db.internal:5432/review"
    env = {"II_REVIEW_DB": "~/verdicts.db", "II_ANALYST": "  Ann Lee  ", "HOME": "/home/ann"}
    settings = load(tmp_path, env, f'II_DATABASE_URL = "{url}"\nII_ANALYST = "file"\n')
    assert settings.review_db == Path("~/verdicts.db").expanduser()
    assert settings.database_url == url and settings.analyst == "Ann Lee"
    assert PASSWORD not in repr(settings) and settings.demo  # the database is not the API


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"II_DATABASE_URL": f"mysql://u:{PASSWORD}@h/db"}, "II_DATABASE_URL must start with"),
        ({"II_DATABASE_URL": f"u:{PASSWORD}@h/db"}, "II_DATABASE_URL must start with"),
        ({"II_ANALYST": "a" * 201}, "II_ANALYST must be a printable name"),
        ({"II_ANALYST": "ann\x1b[31m"}, "II_ANALYST must be a printable name"),
    ],
)
def test_bad_review_settings_get_a_sentence_without_the_password(
    tmp_path: Path, env: dict[str, str], says: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, env)
    assert says in info.value.message and PASSWORD not in info.value.message
