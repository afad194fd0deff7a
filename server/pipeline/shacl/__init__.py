"""The third stage of ``ser-kg build``: SHACL validation of the assembled graphs against ``shapes/``.

``validate`` runs pyshacl, the reference; ``engine`` runs the shapes compiled to SPARQL (``sparql``, with
the value checks of ``values``) on the build's Oxigraph dataset. Both give ``results``, which
``locations`` ties to the file, line and field in ``data/`` they come from.
"""
