"""Public pages: what a territory chooses to show visitors without an account, and event sign-ups."""
