"""Simpul: interoperability hub for the Smart e-Gov applications of Indonesian regional governments."""

__version__ = "0.1.0"
