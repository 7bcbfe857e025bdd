"""``wijkdata mail``: one message per recipient with the profiles of their areas.

Kept import-light on purpose: ``config.py`` imports :mod:`.settings`, so nothing here may pull in
SMTP, Jinja or DuckDB at package import time.
"""
