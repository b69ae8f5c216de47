"""Helpers every layer shares: error-message formatting and array utilities."""
