"""The words of the query page (``/sparql``) and of its editor, in Dutch and English.

The page's template and its scripts (``static/query-*.js``, which get them as JSON) read one table,
``[query]`` of ``server/web/words.toml``, so that the editor speaks the page's language and a missing
translation shows up in a test.
``{name}`` marks a value the script or template fills in.
"""

from __future__ import annotations

from server.web import language

WORDS = language.table("query")


def words(lang: str) -> dict[str, str]:
    """Every word of the query page in ``lang`` (English for "en", Dutch otherwise)."""
    return language.words_in(WORDS, lang)
