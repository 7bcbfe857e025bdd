"""The ``wijkdata`` command: the only package that imports typer or prints."""

from wijkdata.cli.app import app, main

__all__ = ["app", "main"]
