"""Exports of drafts (Word, Excel): they import app.drafting, never the reverse."""
