"""The domain beyond one document: the store, ingestion, and (later) segments, playbooks, gaps and delivery."""

from pipeline.store import Analysis, DatabaseError, Store, UnknownDocument

__all__ = ["Analysis", "DatabaseError", "Store", "UnknownDocument"]
