"""The leader's monthly briefing, early warnings list and explanation requests (issue 19)."""
