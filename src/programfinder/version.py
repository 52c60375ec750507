"""The package version, on its own so that any layer can name it without importing the others."""

__version__ = "0.1.0"
