"""Configuration: defaults, instance/config.py, COOPSERV_* variables, and the production safety check."""
import pytest

from coopserv import create_app
from coopserv.config import DEFAULT_SECRET_KEY, InsecureConfigError, from_environment


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
    clean_env.setenv("COOPSERV_SECRET_KEY", "a-long-random-production-secret")
    app = create_app()
    assert app.config["PRODUCTION"] is True and app.config["SECRET_KEY"] == "a-long-random-production-secret"


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
                               "COOPSERV_ENABLED_PLUGINS": "concierge,mobility", "OTHER": "ignored"})
    assert values == {"PRODUCTION": False, "TESTING": True, "ENABLED_PLUGINS": "concierge,mobility"}


def test_enabled_plugins_from_the_environment_limit_the_plugins(clean_env):
    clean_env.setenv("COOPSERV_ENABLED_PLUGINS", "concierge")
    host = create_app().extensions["coopserv"]
    assert set(host.infos) == {"core", "concierge"}
