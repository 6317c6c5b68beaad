"""The locality bundle: everything that defines a locality, exported to and imported from files (issue 13)."""
