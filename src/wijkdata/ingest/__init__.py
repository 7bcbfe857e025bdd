"""Stage 1: read the raw source files (and fetch or check them) into DuckDB tables."""
