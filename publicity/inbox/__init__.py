"""Incoming RSS/Atom feeds: sources, a guarded fetcher, sanitised entries and the editors' inbox."""
