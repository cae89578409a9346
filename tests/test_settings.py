"""One settings declaration, read the same way by the web app and the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from map_converter.settings import Settings, settings_table_markdown


def test_defaults_need_no_environment():
    settings = Settings.from_environ({})
    assert settings.MAX_UPLOAD_BYTES == 20 * 1024 * 1024
    assert settings.RESOLVE_SHORT_LINKS is True


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", True),
        ("true", True),
        ("Yes", True),
        ("on", True),
        ("0", False),
        ("false", False),
        ("no", False),
        ("off", False),
        ("", False),
    ],
)
def test_booleans_read_every_usual_spelling(raw, expected):
    assert (
        Settings.from_environ({"MAPLINK_RESOLVE_SHORT_LINKS": raw}).RESOLVE_SHORT_LINKS is expected
    )


def test_numbers_are_typed_like_their_defaults():
    settings = Settings.from_environ(
        {"MAPLINK_MAX_ROWS": " 500 ", "MAPLINK_MAX_WAIT_SECONDS": "2.5"}
    )
    assert settings.MAX_ROWS == 500
    assert settings.MAX_WAIT_SECONDS == 2.5


@pytest.mark.parametrize(
    ("name", "raw"),
    [("MAX_ROWS", "lots"), ("RESOLVE_SHORT_LINKS", "maybe"), ("MAX_WAIT_SECONDS", "x")],
)
def test_a_bad_value_names_its_variable(name, raw):
    with pytest.raises(ValueError, match=f"MAPLINK_{name}"):
        Settings.from_environ({f"MAPLINK_{name}": raw})


def test_overrides_win_and_unknown_keys_are_ignored():
    settings = Settings.from_environ({"MAPLINK_MAX_ROWS": "5"}, {"MAX_ROWS": 7, "TESTING": True})
    assert settings.MAX_ROWS == 7


def test_the_app_and_the_cli_read_the_same_settings(tmp_path, monkeypatch):
    from flask_app import create_app
    from map_converter import cli

    monkeypatch.setenv("MAPLINK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MAPLINK_RESOLVE_SHORT_LINKS", "false")
    app = create_app({"SWEEP_INTERVAL_SECONDS": 0})
    assert app.config["RESOLVE_SHORT_LINKS"] is False
    assert app.config["DATA_DIR"] == str(tmp_path)
    seen = {}
    monkeypatch.setattr(cli, "convert_file", lambda *args, **kwargs: seen.update(kwargs) or _Done())
    source = tmp_path / "in.csv"
    source.write_text("Link\n1.5,2.5\n", encoding="utf-8")
    assert cli.main([str(source)]) == 0
    assert seen["follower"] is None  # short links off for the CLI too


class _Done:
    results: list = []
    counts = {"ok": 0, "failed": 0, "skipped": 0}


def test_readme_lists_every_setting():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert settings_table_markdown() in readme, "paste settings_table_markdown() into README.md"


def test_the_imported_module_level_app_works_outside_the_project_folder():
    """`import flask_app` builds `app` for gunicorn; under the tests its sweeper must not touch
    the project's uploads/ and processed/ (tests/conftest.py points it at a temporary folder)."""
    import flask_app

    project = Path(__file__).resolve().parent.parent
    data_dir = Path(flask_app.app.config["DATA_DIR"]).resolve()
    assert project not in (data_dir, *data_dir.parents)
