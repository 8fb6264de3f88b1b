"""Rendering for people and for CI: text, JSON, GitHub annotations, SARIF, review pages."""
