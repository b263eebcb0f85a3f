"""iCalendar: private per-person feeds, a territory's public feed, and .ics files attached to invitations."""
