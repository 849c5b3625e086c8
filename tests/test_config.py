"""Settings: demo mode, precedence of the environment over secrets.toml, parsing and errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from viewer.config import DEFAULT_API_URL, Settings, load_settings
from viewer.exceptions import ConfigError, ViewerError


def _load(tmp_path: Path, env: dict[str, str], secrets: str | None = None) -> Settings:
    path = tmp_path / "secrets.toml"
    if secrets is not None:
        path.write_text(secrets, encoding="utf-8")
    return load_settings(env=env, secrets_paths=(path,))


def _config_error(tmp_path: Path, env: dict[str, str], secrets: str | None = None) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        _load(tmp_path, env, secrets)
    return info.value


# --- demo mode and credentials -------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "secrets", "demo", "has_credentials", "api_url"),
    [
        pytest.param({}, None, True, False, DEFAULT_API_URL, id="nothing-set"),
        pytest.param(
            {"II_API_URL": "", "II_ACCESS_TOKEN": "", "II_CLIENT_ID": "", "II_CLIENT_SECRET": ""},
            None,
            True,
            False,
            DEFAULT_API_URL,
            id="empty-strings-count-as-unset",
        ),
        pytest.param(
            {"II_CONCURRENCY": "4", "II_CACHE_MB": "64", "II_BOXES_ON": "upright"},
            None,
            True,
            False,
            DEFAULT_API_URL,
            id="limits-alone-stay-demo",
        ),
        pytest.param(
            {"II_ACCESS_TOKEN": "tok"}, None, False, True, DEFAULT_API_URL, id="token-only"
        ),
        pytest.param(
            {"II_CLIENT_ID": "cid", "II_CLIENT_SECRET": "csec"},
            None,
            False,
            True,
            DEFAULT_API_URL,
            id="client-credentials",
        ),
        pytest.param(
            {"II_API_URL": "http://127.0.0.1:8080/v2"},
            None,
            False,
            False,
            "http://127.0.0.1:8080/v2",
            id="url-alone-is-not-demo-and-has-no-credentials",
        ),
        pytest.param(
            {},
            'II_ACCESS_TOKEN = "from-file"\n',
            False,
            True,
            DEFAULT_API_URL,
            id="token-from-secrets-file",
        ),
        pytest.param(
            {},
            '[section]\nII_ACCESS_TOKEN = "nested"\n',
            True,
            False,
            DEFAULT_API_URL,
            id="keys-inside-a-table-are-not-read",
        ),
    ],
)
def test_demo_mode_and_credentials(tmp_path, env, secrets, demo, has_credentials, api_url):
    settings = _load(tmp_path, env, secrets)
    assert settings.demo is demo
    assert settings.has_credentials is has_credentials
    assert settings.api_url == api_url


def test_missing_secrets_file_is_not_an_error(tmp_path):
    settings = load_settings(env={}, secrets_paths=(tmp_path / "absent" / "secrets.toml",))
    assert settings.demo is True
    assert settings.access_token is None


# --- where each value comes from ------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "secrets", "attribute", "expected"),
    [
        pytest.param(
            {"II_ACCESS_TOKEN": "env-token"},
            'II_ACCESS_TOKEN = "file-token"\n',
            "access_token",
            "env-token",
            id="env-token-wins",
        ),
        pytest.param(
            {"II_ACCESS_TOKEN": ""},
            'II_ACCESS_TOKEN = "file-token"\n',
            "access_token",
            "file-token",
            id="empty-env-falls-back-to-file",
        ),
        pytest.param(
            {"II_API_URL": "https://env.example.com/v2"},
            'II_API_URL = "https://file.example.com/v2"\n',
            "api_url",
            "https://env.example.com/v2",
            id="env-url-wins",
        ),
        pytest.param(
            {},
            'II_API_URL = "https://file.example.com/v2"\n',
            "api_url",
            "https://file.example.com/v2",
            id="url-from-file",
        ),
        pytest.param(
            {"II_CLIENT_ID": "env-id", "II_CLIENT_SECRET": "env-secret"},
            'II_CLIENT_ID = "file-id"\nII_CLIENT_SECRET = "file-secret"\n',
            "client_id",
            "env-id",
            id="env-client-id-wins",
        ),
        pytest.param(
            {"II_CLIENT_ID": "env-id"},
            'II_CLIENT_SECRET = "file-secret"\n',
            "client_secret",
            "file-secret",
            id="id-from-env-secret-from-file",
        ),
        pytest.param(
            {"II_CONCURRENCY": "3"},
            "II_CONCURRENCY = 9\n",
            "concurrency",
            3,
            id="env-limit-wins",
        ),
        pytest.param({}, "II_CONCURRENCY = 9\n", "concurrency", 9, id="toml-integer"),
        pytest.param(
            {},
            "II_ALLOW_PRIVATE_IMAGE_HOSTS = true\n",
            "allow_private_image_hosts",
            True,
            id="toml-boolean",
        ),
        pytest.param(
            {}, 'II_BOXES_ON = "upright"\n', "boxes_on", "upright", id="toml-string-setting"
        ),
    ],
)
def test_environment_wins_over_secrets_file(tmp_path, env, secrets, attribute, expected):
    assert getattr(_load(tmp_path, env, secrets), attribute) == expected


def test_first_secrets_file_wins_over_later_ones(tmp_path):
    project = tmp_path / "project.toml"
    user = tmp_path / "user.toml"
    project.write_text('II_ACCESS_TOKEN = "project"\n', encoding="utf-8")
    user.write_text('II_ACCESS_TOKEN = "user"\nII_CONCURRENCY = 5\n', encoding="utf-8")
    settings = load_settings(env={}, secrets_paths=(project, user))
    assert settings.access_token == "project"
    assert settings.concurrency == 5  # keys only the later file has are still read


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("https://api.example.com/v2/", "https://api.example.com/v2"),
        ("https://api.example.com/v2///", "https://api.example.com/v2"),
        ("http://127.0.0.1:8080/", "http://127.0.0.1:8080"),
        ("https://api.example.com/v2", "https://api.example.com/v2"),
    ],
)
def test_trailing_slashes_are_stripped_from_api_url(tmp_path, raw, expected):
    assert _load(tmp_path, {"II_API_URL": raw}).api_url == expected
    assert Settings().with_api_url(raw).api_url == expected


@pytest.mark.parametrize(
    ("api_url", "host"),
    [
        ("https://api.imageintelligence.com/v2", "api.imageintelligence.com"),
        ("https://user:pw@api.example.com/v2", "api.example.com"),
        ("http://127.0.0.1:8080/v2", "127.0.0.1"),
    ],
)
def test_api_host_never_carries_credentials(api_url, host):
    assert Settings(api_url=api_url).api_host == host


# --- limits and switches --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "attribute", "expected"),
    [
        ({}, "concurrency", 16),
        ({"II_CONCURRENCY": "1"}, "concurrency", 1),
        ({"II_CONCURRENCY": "128"}, "concurrency", 128),
        ({"II_CONCURRENCY": "32"}, "concurrency", 32),
        ({}, "cache_mb", 256),
        ({"II_CACHE_MB": "16"}, "cache_mb", 16),
        ({"II_CACHE_MB": "16384"}, "cache_mb", 16384),
        ({}, "allow_private_image_hosts", False),
        ({"II_ALLOW_PRIVATE_IMAGE_HOSTS": "1"}, "allow_private_image_hosts", True),
        ({"II_ALLOW_PRIVATE_IMAGE_HOSTS": "true"}, "allow_private_image_hosts", True),
        ({"II_ALLOW_PRIVATE_IMAGE_HOSTS": "YES"}, "allow_private_image_hosts", True),
        ({"II_ALLOW_PRIVATE_IMAGE_HOSTS": " On "}, "allow_private_image_hosts", True),
        ({"II_ALLOW_PRIVATE_IMAGE_HOSTS": "0"}, "allow_private_image_hosts", False),
        ({"II_ALLOW_PRIVATE_IMAGE_HOSTS": "False"}, "allow_private_image_hosts", False),
        ({"II_ALLOW_PRIVATE_IMAGE_HOSTS": "no"}, "allow_private_image_hosts", False),
        ({"II_ALLOW_PRIVATE_IMAGE_HOSTS": "off"}, "allow_private_image_hosts", False),
        ({}, "api_deadline_s", 60.0),
        ({"II_API_DEADLINE_S": "5"}, "api_deadline_s", 5.0),
        ({}, "max_response_bytes", 512 * 1024 * 1024),
        ({"II_MAX_GROUP_MB": "1"}, "max_response_bytes", 1024 * 1024),
        ({"II_MAX_GROUP_MB": "2048"}, "max_response_bytes", 2048 * 1024 * 1024),
        ({}, "boxes_on", "stored"),
        ({"II_BOXES_ON": "stored"}, "boxes_on", "stored"),
        ({"II_BOXES_ON": "upright"}, "boxes_on", "upright"),
    ],
)
def test_limits_and_switches_parse(tmp_path, env, attribute, expected):
    assert getattr(_load(tmp_path, env), attribute) == expected


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "message"),
    [
        pytest.param(
            {"II_CLIENT_ID": "cid"},
            "II_CLIENT_ID is set without II_CLIENT_SECRET: set both, or neither.",
            id="id-without-secret",
        ),
        pytest.param(
            {"II_CLIENT_ID": "cid", "II_CLIENT_SECRET": "", "II_ACCESS_TOKEN": "tok"},
            "II_CLIENT_ID is set without II_CLIENT_SECRET: set both, or neither.",
            id="id-with-empty-secret-even-with-token",
        ),
        pytest.param(
            {"II_CLIENT_SECRET": "csec"},
            "II_CLIENT_SECRET is set without II_CLIENT_ID: set both, or neither.",
            id="secret-without-id",
        ),
        pytest.param(
            {"II_API_URL": "ftp://api.example.com/v2"},
            "II_API_URL must start with http:// or https://, not 'ftp://api.example.com/v2'.",
            id="ftp-scheme",
        ),
        pytest.param(
            {"II_API_URL": "api.example.com/v2/"},
            "II_API_URL must start with http:// or https://, not 'api.example.com/v2'.",
            id="no-scheme",
        ),
        pytest.param(
            {"II_CONCURRENCY": "many"},
            "II_CONCURRENCY must be a whole number, not 'many'.",
            id="concurrency-word",
        ),
        pytest.param(
            {"II_CONCURRENCY": "2.5"},
            "II_CONCURRENCY must be a whole number, not '2.5'.",
            id="concurrency-fraction",
        ),
        pytest.param(
            {"II_CONCURRENCY": "0"},
            "II_CONCURRENCY must lie between 1 and 128, not 0.",
            id="concurrency-too-low",
        ),
        pytest.param(
            {"II_CONCURRENCY": "129"},
            "II_CONCURRENCY must lie between 1 and 128, not 129.",
            id="concurrency-too-high",
        ),
        pytest.param(
            {"II_CACHE_MB": "lots"},
            "II_CACHE_MB must be a whole number, not 'lots'.",
            id="cache-word",
        ),
        pytest.param(
            {"II_CACHE_MB": "15"},
            "II_CACHE_MB must lie between 16 and 16384, not 15.",
            id="cache-too-low",
        ),
        pytest.param(
            {"II_CACHE_MB": "16385"},
            "II_CACHE_MB must lie between 16 and 16384, not 16385.",
            id="cache-too-high",
        ),
        pytest.param(
            {"II_API_DEADLINE_S": "0"},
            "II_API_DEADLINE_S must lie between 1 and 3600, not 0.",
            id="api-deadline-too-low",
        ),
        pytest.param(
            {"II_API_DEADLINE_S": "1.5"},
            "II_API_DEADLINE_S must be a whole number, not '1.5'.",
            id="api-deadline-not-whole",
        ),
        pytest.param(
            {"II_MAX_GROUP_MB": "0"},
            "II_MAX_GROUP_MB must lie between 1 and 16384, not 0.",
            id="max-group-too-low",
        ),
        pytest.param(
            {"II_ALLOW_PRIVATE_IMAGE_HOSTS": "maybe"},
            "II_ALLOW_PRIVATE_IMAGE_HOSTS must be 1 or 0, not 'maybe'.",
            id="private-hosts-word",
        ),
        pytest.param(
            {"II_BOXES_ON": "rotated"},
            "II_BOXES_ON must be 'stored' or 'upright', not 'rotated'.",
            id="boxes-on-unknown",
        ),
        pytest.param(
            {"II_BOXES_ON": "Upright"},
            "II_BOXES_ON must be 'stored' or 'upright', not 'Upright'.",
            id="boxes-on-is-case-sensitive",
        ),
    ],
)
def test_bad_settings_raise_one_sentence(tmp_path, env, message):
    error = _config_error(tmp_path, env)
    assert isinstance(error, ViewerError)
    assert error.message == message
    assert str(error) == message


def test_client_id_without_secret_in_secrets_file(tmp_path):
    error = _config_error(tmp_path, {}, 'II_CLIENT_ID = "cid"\n')
    assert "II_CLIENT_ID" in error.message
    assert "II_CLIENT_SECRET" in error.message


@pytest.mark.parametrize(
    "secrets",
    [
        pytest.param('II_API_URL = "https://unterminated\n', id="unterminated-string"),
        pytest.param("II_ACCESS_TOKEN = \n", id="missing-value"),
        pytest.param('II_ACCESS_TOKEN = "a"\nII_ACCESS_TOKEN = "b"\n', id="duplicate-key"),
        pytest.param("[II_API_URL\n", id="broken-table-header"),
    ],
)
def test_malformed_secrets_file_raises_config_error(tmp_path, secrets):
    error = _config_error(tmp_path, {}, secrets)
    path = str(tmp_path / "secrets.toml")
    assert error.message == (
        f"The secrets file {path!r} could not be read (TOMLDecodeError): fix or remove it."
    )


def test_secrets_path_that_is_a_directory_raises_config_error(tmp_path):
    (tmp_path / "secrets.toml").mkdir()
    error = _config_error(tmp_path, {})
    assert "could not be read" in error.message
    assert "fix or remove it" in error.message


def test_secrets_file_that_is_not_utf8_raises_config_error(tmp_path):
    path = tmp_path / "secrets.toml"
    path.write_bytes(b'II_ACCESS_TOKEN = "caf\xe9"\n')  # Latin-1 e-acute, saved by an old editor
    with pytest.raises(ConfigError, match="could not be read"):
        load_settings(env={}, secrets_paths=(path,))


# --- secrets stay out of sight --------------------------------------------------------------


@pytest.mark.parametrize(
    "env",
    [
        {"II_ACCESS_TOKEN": "tok-SECRET-1234"},
        {"II_CLIENT_ID": "my-client", "II_CLIENT_SECRET": "csec-SECRET-5678"},
        {
            "II_ACCESS_TOKEN": "tok-SECRET-1234",
            "II_CLIENT_ID": "my-client",
            "II_CLIENT_SECRET": "csec-SECRET-5678",
        },
    ],
)
def test_repr_hides_token_and_client_secret(tmp_path, env):
    settings = _load(tmp_path, {**env, "II_API_URL": "https://api.example.com/v2"})
    # The secrets really were loaded, so their absence from repr means something.
    assert settings.access_token == env.get("II_ACCESS_TOKEN")
    assert settings.client_secret == env.get("II_CLIENT_SECRET")
    for text in (repr(settings), str(settings)):
        assert "SECRET" not in text
        assert "https://api.example.com/v2" in text
    if "II_CLIENT_ID" in env:
        assert "my-client" in repr(settings)


def test_bad_scheme_error_does_not_echo_url_password(tmp_path):
    error = _config_error(tmp_path, {"II_API_URL": "htps://analyst:pw-SECRET-42@api.example.com"})
    assert "II_API_URL" in error.message
    assert "pw-SECRET-42" not in error.message
