"""Notifications: the in-app inbox, its badge, e-mail and scheduled reminders (issue 17)."""
