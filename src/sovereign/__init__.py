"""Sovereign: a release ritual for GitHub repositories, as composite actions."""

__version__ = "0.1.0"
