"""Drafting: question understanding, the answer composer, lecture outlines, ledger rows and citations.

Everything here reads the index through `index.library.Library` only; exports (app/export) import
from here, never the reverse.
"""
