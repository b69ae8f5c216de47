"""The command line, on the public API only."""
