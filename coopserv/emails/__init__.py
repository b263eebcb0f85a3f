"""E-mail to people: messages by category, each person's preferences, digests and one-click unsubscribe.

Services call ``send_email`` (or ``send_invitation_email``) inside their
transaction; the message is rendered and sent by a job after the commit, in the
recipient's language, with the territory's name and colours.
"""
