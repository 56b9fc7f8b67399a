"""Persistence: one storage interface with an embedded SQLite store and a MongoDB store."""
