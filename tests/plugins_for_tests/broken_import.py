"""A plugin that cannot even be imported: the app must log it and carry on without it."""
raise RuntimeError("deliberately broken at import")
