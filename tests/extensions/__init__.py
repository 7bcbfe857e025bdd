"""Test-only extensions, loaded through WIJKDATA_PLUGINS the way a user's own modules are."""
