"""Governance: the steering committee, its charter, meetings and votes, events and the risk register."""
