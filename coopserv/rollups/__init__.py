"""Rollups: monthly totals of service requests, kept in the transaction that changes them."""
