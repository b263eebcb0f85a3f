"""CSV imports of organizations and members: preview with line-level errors, then apply set-based."""
