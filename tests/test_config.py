"""Configuration: defaults, instance/config.py, COOPSERV_* variables, and the production safety check."""
import pytest

from coopserv import create_app
from coopserv.config import (
    DEFAULT_SECRET_KEY,
    ConfigError,
    InsecureConfigError,
    from_environment,
)

#: What `secrets.token_hex(32)` gives: the kind of key production accepts.
GOOD_KEY = "9f1c2b7e4d8a6f30c5e1b9a7d2f4e6c8a0b3d5f7e9c1a2b4d6f8e0c2a4b6d8f0"


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No stray COOPSERV_* variable, and an empty instance folder of our own."""
    import os

    for name in list(os.environ):
        if name.startswith("COOPSERV_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("COOPSERV_INSTANCE_PATH", str(tmp_path / "instance"))
    monkeypatch.setenv("COOPSERV_DATABASE_URL", "sqlite://")
    return monkeypatch


def test_production_refuses_the_default_secret_key(clean_env):
    with pytest.raises(InsecureConfigError):
        create_app({"PRODUCTION": True})
    with pytest.raises(InsecureConfigError):
        create_app({"PRODUCTION": True, "SECRET_KEY": DEFAULT_SECRET_KEY})
    clean_env.setenv("COOPSERV_PRODUCTION", "true")
    with pytest.raises(InsecureConfigError):
        create_app()
    clean_env.setenv("COOPSERV_SECRET_KEY", GOOD_KEY)
    app = create_app()
    assert app.config["PRODUCTION"] is True and app.config["SECRET_KEY"] == GOOD_KEY
    # Production cookies travel over HTTPS only.
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["REMEMBER_COOKIE_SECURE"] is True


@pytest.mark.parametrize("key", [
    "a-long-random-production-secret",       # short
    "x" * 64,                                # long but one character
    "abcabcabcabcabcabcabcabcabcabcabcabc",  # a pattern
    "password" * 5,                          # a word, repeated
])
def test_production_refuses_short_or_predictable_secret_keys(clean_env, key):
    with pytest.raises(InsecureConfigError, match="too short or too predictable"):
        create_app({"PRODUCTION": True, "SECRET_KEY": key})


def test_development_keeps_plain_cookies(clean_env):
    assert create_app().config["SESSION_COOKIE_SECURE"] is False


def test_development_starts_with_the_default_key(clean_env):
    assert create_app().config["SECRET_KEY"] == DEFAULT_SECRET_KEY


def test_environment_variables_override_defaults_and_instance_config(clean_env, tmp_path):
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "config.py").write_text('MAIL_SENDER = "instance@example.org"\nPAGE_SIZE = 10\n')
    app = create_app()
    assert app.config["MAIL_SENDER"] == "instance@example.org" and app.config["PAGE_SIZE"] == 10
    clean_env.setenv("COOPSERV_MAIL_SENDER", "env@example.org")
    clean_env.setenv("COOPSERV_DATABASE_URL", "sqlite:////tmp/somewhere-else.sqlite")
    app = create_app()
    assert app.config["MAIL_SENDER"] == "env@example.org"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "sqlite:////tmp/somewhere-else.sqlite"
    assert app.config["PAGE_SIZE"] == 10
    # What create_app is given wins over everything.
    assert create_app({"MAIL_SENDER": "given@example.org"}).config["MAIL_SENDER"] == "given@example.org"


def test_environment_values_are_parsed():
    values = from_environment({"COOPSERV_PRODUCTION": "false", "COOPSERV_TESTING": "yes",
                               "COOPSERV_ENABLED_PLUGINS": "concierge,mobility", "OTHER": "ignored",
                               "COOPSERV_PASSWORD_RESET_MAX_AGE": " 900 ", "COOPSERV_MAIL_SENDER": "1",
                               "COOPSERV_RATELIMIT_ENABLED": "0", "COOPSERV_SOMETHING_NEW": "false"})
    assert values == {"PRODUCTION": False, "TESTING": True, "ENABLED_PLUGINS": ["concierge", "mobility"],
                      "PASSWORD_RESET_MAX_AGE": 900, "MAIL_SENDER": "1", "RATELIMIT_ENABLED": False,
                      "SOMETHING_NEW": False}


@pytest.mark.parametrize(("name", "value", "message"), [
    ("COOPSERV_PASSWORD_RESET_MAX_AGE", "an hour", "COOPSERV_PASSWORD_RESET_MAX_AGE='an hour': expected a whole number"),
    ("COOPSERV_PASSWORD_RESET_MAX_AGE", "3", "PASSWORD_RESET_MAX_AGE=3: must be at least 60"),
    ("COOPSERV_PRODUCTION", "maybe", "COOPSERV_PRODUCTION='maybe': expected a yes/no value"),
    ("COOPSERV_MAX_CONTENT_LENGTH", "-1", "MAX_CONTENT_LENGTH=-1: must be at least 1024"),
    ("COOPSERV_PAGE_SIZE", "25.5", "expected a whole number"),
])
def test_bad_environment_values_stop_the_start_with_a_clear_error(clean_env, name, value, message):
    clean_env.setenv(name, value)
    with pytest.raises(ConfigError) as raised:
        create_app()
    assert message in str(raised.value)


def test_a_typed_environment_value_is_used_as_a_number(clean_env, tmp_path):
    """COOPSERV_PASSWORD_RESET_MAX_AGE=600 reaches the reset-link check as 600 seconds, not as text."""
    clean_env.setenv("COOPSERV_PASSWORD_RESET_MAX_AGE", "600")
    clean_env.setenv("COOPSERV_DATABASE_URL", f"sqlite:///{tmp_path}/typed.sqlite")
    app = create_app({"TESTING": True})
    assert app.config["PASSWORD_RESET_MAX_AGE"] == 600
    with app.app_context():
        from flask_migrate import upgrade

        from coopserv.accounts.services import create_user, make_reset_token, user_from_reset_token
        from coopserv.extensions import db

        upgrade(directory=app.extensions["migrate"].directory, revision="heads")
        user = create_user("Typed", "typed@example.org", "correct horse battery")
        db.session.commit()
        with app.test_request_context():
            assert user_from_reset_token(make_reset_token(user)).id == user.id
        db.engine.dispose()


def test_the_command_line_reports_a_bad_setting_without_a_traceback(clean_env):
    from click.testing import CliRunner

    from coopserv.cli import main

    clean_env.setenv("COOPSERV_PASSWORD_RESET_MAX_AGE", "soon")
    result = CliRunner().invoke(main, ["plugins", "list"])
    assert result.exit_code == 2
    assert "COOPSERV_PASSWORD_RESET_MAX_AGE='soon': expected a whole number" in result.output


def test_enabled_plugins_from_the_environment_limit_the_plugins(clean_env):
    clean_env.setenv("COOPSERV_ENABLED_PLUGINS", "concierge")
    host = create_app().extensions["coopserv"]
    assert set(host.infos) == {"core", "concierge"}
