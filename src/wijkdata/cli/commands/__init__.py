"""Command modules. Each module here registers its commands on ``wijkdata.cli.app`` when
imported; ``cli`` imports them all, so adding a command is adding a file."""
