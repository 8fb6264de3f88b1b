"""The YAML spec: reading it into the model, and writing one from a database."""
