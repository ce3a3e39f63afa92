"""The one base exception of nevkg and its few kinds."""
from __future__ import annotations

__all__ = ["NevkgError", "DataError", "ValidationError", "QueryError", "NameLookupError"]


class NevkgError(Exception):
    """Base of every error nevkg raises on purpose; the CLI turns it into exit code 1."""


class DataError(NevkgError):
    """A bad row in a data table, located as ``FILE:LINE: field: what is wrong``."""

    def __init__(self, path, line: int, field: str, message: str):
        self.path, self.line, self.field, self.message = str(path), line, field, message
        super().__init__(f"{self.path}:{line}: {field}: {message}")


class ValidationError(NevkgError):
    """The built graph breaks a SHACL shape or a quality-check query."""


class QueryError(NevkgError):
    """A SPARQL query is malformed or cannot be run."""


class NameLookupError(NevkgError):
    """A name (of a division, chain link or company) is unknown or ambiguous."""
