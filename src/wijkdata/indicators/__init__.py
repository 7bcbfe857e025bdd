"""Stage 2: indicator definitions and the figures computed from the ingested tables."""
