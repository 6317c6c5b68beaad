"""The tamper-evident audit chain: every change appended, hash-linked, in the transaction of the
change (issue 19)."""
