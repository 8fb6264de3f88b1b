"""Comparing schemas and what the comparison produces: the diff, typed changes, findings,
policies, query plans and foreign-key actions, and the outcomes the commands report.

Dialect-free: both sides arrive in the same normal form, names keyed by their dialect.
"""
