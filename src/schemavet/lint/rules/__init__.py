"""One lint rule per module, named after its code (``SV101_drop_table.py``)."""
