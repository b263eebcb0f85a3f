"""Indicators the steering committee defines for its territory, beside those the plugins declare."""
