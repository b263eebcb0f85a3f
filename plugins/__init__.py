"""Built-in coopserv plugins, installed as the ``coopserv_plugins`` package."""
