"""wijkdata: neighbourhood health profiles (wijkgezondheidsprofielen) from Dutch open data."""

__version__ = "0.1.0"
