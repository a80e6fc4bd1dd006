"""Pure text → records: reading documents, segmentation, classification, terms."""

from extractors.records import Clause, Document, Obligation, Page, Term

__all__ = ["Clause", "Document", "Obligation", "Page", "Term"]
