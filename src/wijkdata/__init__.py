"""wijkdata: neighbourhood health profiles (wijkgezondheidsprofielen) from Dutch open data."""

import os as _os

__version__ = "0.1.0"

# A memory limit set with ``ulimit -d`` counts memory reserved, not memory used. pyarrow's
# default pool (mimalloc) reserves a 1 GiB arena at its first allocation, which alone makes
# a small build look like 1.6 GB; the system allocator reserves what it hands out. Measured
# on the demo's prepare: 1.6 GB -> 0.6 GB of reserved data memory, in the same 3.4-3.7 s
# (docs/bad_inputs.md, "Resources").
# Set before pyarrow is loaded (DuckDB loads it on the first Arrow result); a user's own
# setting wins.
_os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
