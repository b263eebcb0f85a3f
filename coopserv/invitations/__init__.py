"""Invitations: a territory invites a person by e-mail; a signed link lets them join with a role."""
