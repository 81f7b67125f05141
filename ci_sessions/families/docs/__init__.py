"""The docs family: the project's documentation built strictly (Sphinx or MkDocs)."""
