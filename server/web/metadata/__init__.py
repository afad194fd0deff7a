"""``/downloads/``, ``/.well-known/void``, ``/catalog``, ``/sitemap.xml`` and ``/robots.txt``: the dataset's files
and its descriptions."""
