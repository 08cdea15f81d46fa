"""Extract and simulation jobs for the telestream warehouse."""
