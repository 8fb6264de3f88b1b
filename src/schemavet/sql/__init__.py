"""Dialect-neutral SQL text handling: tokens, canonical expressions, column definitions."""
