"""``/id/``, ``/doc/``, ``/def/``, ``/`` and ``/classes/``: dereferencing, documents, pages and their views."""
