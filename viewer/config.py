"""Settings: the API URL, credentials and limits, read from the environment, then secrets.toml."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from viewer.exceptions import ConfigError

DEFAULT_API_URL = "https://api.imageintelligence.com/v2"
DEMO_CLIENT_ID = "demo"
DEMO_CLIENT_SECRET = "demo"  # noqa: S105 - the demo API accepts any credentials
CACHE_FOLDER = "group-viewer"
SECRETS_PATHS = (Path(".streamlit/secrets.toml"), Path.home() / ".streamlit" / "secrets.toml")
REVIEW_DB_NAME = "review.sqlite3"
DATABASE_SCHEMES = ("sqlite", "postgresql", "postgres")
MAX_ANALYST = 200
MAX_GROUP_MB = 512  # the largest API answer read: 1,000,000 demo-large faces are 474 MB

_CREDENTIAL_KEYS = ("II_API_URL", "II_ACCESS_TOKEN", "II_CLIENT_ID", "II_CLIENT_SECRET")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def default_review_db(env: Mapping[str, str] | None = None) -> Path:
    """The verdict store's SQLite file when II_REVIEW_DB is unset: in the user's data directory.

    ``$XDG_DATA_HOME/group-viewer/review.sqlite3``, else ``~/.local/share/group-viewer/...``.
    """
    env = os.environ if env is None else env
    base = env.get("XDG_DATA_HOME") or ""
    if not base:
        home = env.get("HOME") or str(Path.home())
        base = str(Path(home) / ".local" / "share")
    return Path(base) / "group-viewer" / REVIEW_DB_NAME


@dataclass(frozen=True)
class Settings:
    """Everything the viewer needs to know about where it talks and how hard it may work.

    Secrets are kept out of ``repr`` so that a logged or displayed Settings never shows them.
    """

    api_url: str = DEFAULT_API_URL
    access_token: str | None = field(default=None, repr=False)
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    demo: bool = False
    concurrency: int = 16
    cache_mb: int = 256
    api_timeout_s: float = 20.0
    api_deadline_s: float = 60.0  # II_API_DEADLINE_S: every API request, retries included
    image_connect_timeout_s: float = 5.0
    image_read_timeout_s: float = 10.0
    image_deadline_s: float = 20.0
    max_image_bytes: int = 25 * 1024 * 1024
    max_image_pixels: int = 64_000_000
    max_response_bytes: int = MAX_GROUP_MB * 1024 * 1024  # II_MAX_GROUP_MB
    allow_private_image_hosts: bool = False
    boxes_on: str = "stored"  # "stored": boxes refer to stored pixels; "upright": to EXIF-rotated
    review_db: Path = field(default_factory=default_review_db)  # SQLite file of the verdicts
    database_url: str | None = field(default=None, repr=False)  # wins over review_db when set
    analyst: str | None = None  # who records verdicts when login does not say
    review_timeout_s: float = 10.0  # waiting for a locked database, or to connect to one
    allow_writes: bool = False  # verdicts may be applied to the API (always on the embedded demo)
    apply_analysts: tuple[str, ...] = ()  # with login: the only analysts who may apply
    face_model: bool = True  # II_FACE_MODEL=off turns identity scoring off
    face_model_dir: str | None = None  # the model files' folder; None: face_recognition_models'
    face_workers: int | None = None  # processes computing descriptors; None: min(2, cpu count)
    cache_dir: str | None = None  # persistent caches; None: ~/.cache/group-viewer
    descriptor_cache_mb: int = 64

    @property
    def api_host(self) -> str:
        """The API's host for display: never carries credentials."""
        from urllib.parse import urlsplit

        return urlsplit(self.api_url).hostname or self.api_url

    @property
    def api_url_shown(self) -> str:
        """``api_url`` for messages: without a user name, password, query or fragment."""
        from urllib.parse import urlsplit

        parts = urlsplit(self.api_url)
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{host}{port}{parts.path}"

    @property
    def has_credentials(self) -> bool:
        return bool(self.access_token or (self.client_id and self.client_secret))

    @property
    def cache_path(self) -> Path:
        """The folder of the persistent caches (face descriptors), shared by every process."""
        if self.cache_dir:
            return Path(self.cache_dir).expanduser()
        return Path.home() / ".cache" / CACHE_FOLDER

    def with_api_url(self, api_url: str) -> Settings:
        return replace(self, api_url=api_url.rstrip("/"))

    def for_demo(self, api_url: str) -> Settings:
        """These settings pointed at the embedded demo API, which takes any credentials."""
        return replace(
            self.with_api_url(api_url),
            client_id=DEMO_CLIENT_ID,
            client_secret=DEMO_CLIENT_SECRET,
            access_token=None,
        )


def _read_secrets(paths: tuple[Path, ...]) -> dict[str, object]:
    merged: dict[str, object] = {}
    for path in reversed(paths):  # the project's file wins over the user's
        try:
            with path.open("rb") as fh:
                merged.update(tomllib.load(fh))
        except FileNotFoundError:
            continue
        except (OSError, ValueError) as exc:  # TOMLDecodeError and UnicodeDecodeError
            raise ConfigError(
                f"The secrets file {str(path)!r} could not be read ({type(exc).__name__}): "
                "fix or remove it."
            ) from None
    return merged


def _as_int(name: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}.") from None
    if not low <= number <= high:
        raise ConfigError(f"{name} must lie between {low} and {high}, not {number}.")
    return number


def _as_bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{name} must be 1 or 0, not {value!r}.")


def _review_settings(get: Callable[[str], str | None], env: Mapping[str, str]) -> dict[str, object]:
    """II_REVIEW_DB, II_DATABASE_URL and II_ANALYST; the URL may hold a password: never echoed."""
    kwargs: dict[str, object] = {"review_db": default_review_db(env)}
    if (raw := get("II_REVIEW_DB")) is not None:
        kwargs["review_db"] = Path(raw).expanduser()
    if (raw := get("II_DATABASE_URL")) is not None:
        scheme = raw.split(":", 1)[0].split("+", 1)[0].lower() if ":" in raw else ""
        if scheme not in DATABASE_SCHEMES:
            raise ConfigError(
                "II_DATABASE_URL must start with postgresql+psycopg:// (or sqlite:///): "
                "fix it, or unset it to keep verdicts in the II_REVIEW_DB file."
            )
        kwargs["database_url"] = raw.strip()
    if (raw := get("II_ANALYST")) is not None:
        name = raw.strip()
        if len(name) > MAX_ANALYST or not name.isprintable():
            raise ConfigError(
                f"II_ANALYST must be a printable name of at most {MAX_ANALYST} characters."
            )
        kwargs["analyst"] = name or None
    return kwargs


def _identity_settings(
    get: Callable[[str], str | None], env: Mapping[str, str]
) -> dict[str, object]:
    """The face model's switch, files and workers, and the descriptor cache's place and size."""
    kwargs: dict[str, object] = {}
    if env.get("XDG_CACHE_HOME"):
        kwargs["cache_dir"] = str(Path(env["XDG_CACHE_HOME"]) / CACHE_FOLDER)
    if (raw := get("II_FACE_MODEL")) is not None:
        kwargs["face_model"] = _as_bool("II_FACE_MODEL", raw)
    if (raw := get("II_FACE_MODEL_DIR")) is not None:
        kwargs["face_model_dir"] = raw
    if (raw := get("II_FACE_WORKERS")) is not None:
        kwargs["face_workers"] = _as_int("II_FACE_WORKERS", raw, 1, 64)
    if (raw := get("II_CACHE_DIR")) is not None:
        kwargs["cache_dir"] = raw
    if (raw := get("II_DESCRIPTOR_CACHE_MB")) is not None:
        kwargs["descriptor_cache_mb"] = _as_int("II_DESCRIPTOR_CACHE_MB", raw, 1, 65536)
    return kwargs


def load_settings(
    env: Mapping[str, str] | None = None, secrets_paths: tuple[Path, ...] = SECRETS_PATHS
) -> Settings:
    """Read settings from ``env`` (default ``os.environ``), then top-level keys of secrets.toml.

    With none of II_API_URL, II_ACCESS_TOKEN, II_CLIENT_ID and II_CLIENT_SECRET set, the
    result is in demo mode: the caller starts the embedded demo API and sets ``api_url``.
    """
    env = os.environ if env is None else env
    secrets = _read_secrets(secrets_paths)

    def get(name: str) -> str | None:
        value = env.get(name)
        if value is None or value == "":
            raw = secrets.get(name)
            value = None if raw is None else str(raw)
        return value if value else None

    values = {key: get(key) for key in _CREDENTIAL_KEYS}
    if values["II_CLIENT_ID"] and not values["II_CLIENT_SECRET"]:
        raise ConfigError("II_CLIENT_ID is set without II_CLIENT_SECRET: set both, or neither.")
    if values["II_CLIENT_SECRET"] and not values["II_CLIENT_ID"]:
        raise ConfigError("II_CLIENT_SECRET is set without II_CLIENT_ID: set both, or neither.")
    api_url = (values["II_API_URL"] or DEFAULT_API_URL).rstrip("/")
    if not api_url.startswith(("http://", "https://")):
        shown = api_url.split("@")[-1][:80]  # never echo a password written into the URL
        raise ConfigError(f"II_API_URL must start with http:// or https://, not {shown!r}.")

    kwargs: dict[str, object] = {}
    if (raw := get("II_CONCURRENCY")) is not None:
        kwargs["concurrency"] = _as_int("II_CONCURRENCY", raw, 1, 128)
    if (raw := get("II_CACHE_MB")) is not None:
        kwargs["cache_mb"] = _as_int("II_CACHE_MB", raw, 16, 16384)
    if (raw := get("II_API_DEADLINE_S")) is not None:
        kwargs["api_deadline_s"] = float(_as_int("II_API_DEADLINE_S", raw, 1, 3600))
    if (raw := get("II_MAX_GROUP_MB")) is not None:
        kwargs["max_response_bytes"] = _as_int("II_MAX_GROUP_MB", raw, 1, 16384) * 1024 * 1024
    if (raw := get("II_ALLOW_PRIVATE_IMAGE_HOSTS")) is not None:
        kwargs["allow_private_image_hosts"] = _as_bool("II_ALLOW_PRIVATE_IMAGE_HOSTS", raw)
    if (raw := get("II_BOXES_ON")) is not None:
        if raw not in ("stored", "upright"):
            raise ConfigError(f"II_BOXES_ON must be 'stored' or 'upright', not {raw!r}.")
        kwargs["boxes_on"] = raw
    kwargs.update(_review_settings(get, env))
    if (raw := get("II_ALLOW_WRITES")) is not None:
        kwargs["allow_writes"] = _as_bool("II_ALLOW_WRITES", raw)
    if (raw := get("II_APPLY_ANALYSTS")) is not None:
        kwargs["apply_analysts"] = tuple(n.strip() for n in raw.split(",") if n.strip())
    kwargs.update(_identity_settings(get, env))

    return Settings(
        api_url=api_url,
        access_token=values["II_ACCESS_TOKEN"],
        client_id=values["II_CLIENT_ID"],
        client_secret=values["II_CLIENT_SECRET"],
        demo=not any(values.values()),
        **kwargs,  # type: ignore[arg-type]
    )
