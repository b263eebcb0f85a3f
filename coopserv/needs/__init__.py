"""Needs intake: needs, supports, collective needs and needs campaigns of a territory."""
