"""Things every stage uses: configuration, YAML loading, errors, atomic files, DuckDB, codes."""
