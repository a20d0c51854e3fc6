from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from civicpulse.config import Settings, load_settings
from civicpulse.errors import ConfigError


def test_defaults_file_environment_and_overrides_stack(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('batch_size = 10\nport = 9000\nanalysers = ["surface"]\n')
    settings = load_settings(config, {"CIVICPULSE_PORT": "9100", "CIVICPULSE_DATABASE_URL": "sqlite:///x.db"},
                             host="0.0.0.0")
    assert (settings.batch_size, settings.port, settings.host) == (10, 9100, "0.0.0.0")
    assert settings.resolved_database_url == "sqlite:///x.db"


def test_default_database_lives_in_the_data_dir() -> None:
    settings = load_settings(None, {"CIVICPULSE_DATA_DIR": "/srv/cp"})
    assert settings.resolved_database_url == "sqlite:////srv/cp/civicpulse.db"


def test_analysers_list_from_the_environment() -> None:
    assert load_settings(None, {"CIVICPULSE_ANALYSERS": "surface, language"}).analysers == ("surface", "language")


def test_detectors_list_from_the_environment() -> None:
    assert load_settings(None, {}).detectors == ("events", "rumours")
    assert load_settings(None, {"CIVICPULSE_DETECTORS": "events, rumours"}).detectors == ("events", "rumours")


@pytest.mark.parametrize(
    ("content", "message"),
    [("batch_size = 0", "batch_size"), ("nonsense = 1", "unknown setting"), ("port = 'x'", "invalid"),
     ("port = [", "not valid TOML")],
)
def test_mistakes_are_config_errors_with_a_fix(tmp_path: Path, content: str, message: str) -> None:
    config = tmp_path / "c.toml"
    config.write_text(content)
    with pytest.raises(ConfigError, match=message) as caught:
        load_settings(config, {})
    assert caught.value.fix


def test_missing_config_file_named_explicitly(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "absent.toml", {})


def test_pseudonym_key_is_created_once_and_private(tmp_path: Path) -> None:
    settings = Settings(data_dir=str(tmp_path))
    key = settings.resolved_pseudonym_key()
    assert len(key) == 64
    assert settings.resolved_pseudonym_key() == key
    mode = stat.S_IMODE(os.stat(tmp_path / "pseudonym.key").st_mode)
    assert mode == 0o600


def test_every_setting_is_documented() -> None:
    doc = (Path(__file__).parents[1] / "docs" / "configuration.md").read_text()
    for name in Settings.__struct_fields__:
        assert f"`{name}`" in doc, name
        assert f"`CIVICPULSE_{name.upper()}`" in doc, name
