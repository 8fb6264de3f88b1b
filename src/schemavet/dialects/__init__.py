"""Dialects: one folder per engine (``sqlite/``, ``postgres/``) and one line in ``registry.py``.

``base.py`` says what a dialect is; ``url.py`` reads database URLs into (dialect, place).
Nothing outside a dialect's folder imports it: everything else asks the registry.
"""
