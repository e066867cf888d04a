"""Turning document text into page text that cannot run: everything from a document is data.

Streamlit renders Markdown; a document could carry `<script>`, `<img onerror>`,
or Markdown links. Escaping HTML and Markdown punctuation leaves only the
characters, shown as they are.
"""

from __future__ import annotations

import html
import re

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>$])")


def safe(text: str) -> str:
    """Text from a document or an upload, made inert for st.markdown."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))  # quotes need no escape in text
