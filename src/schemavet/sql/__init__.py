"""SQL text: tokens, and the column language every dialect's grammar starts from."""
