"""Backup and restore: one tar file with the database, the evidence archive folder and the keys, plus a manifest
of SHA-256 hashes that restore checks before it writes anything."""
