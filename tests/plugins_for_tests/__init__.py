"""Small deliberately odd plugins, loaded through EXTRA_PLUGINS by tests/test_plugin_engine.py."""
