"""The core test suite (a package so ``tests.plugins_for_tests`` can be named in EXTRA_PLUGINS)."""
