"""The first run: the getting-started checklist that leads a new territory to its first pilot request."""
