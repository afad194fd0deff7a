"""The first stage of ``ser-kg build``: the source records of ``data/``, read and checked against their types.

``records`` declares the record types and their fields, ``files`` reads the YAML files into records,
``checkdigits`` holds the check-digit rules a field may name, ``recorddocs`` writes the field tables of
``data/README.md``. Nothing here knows RDF beyond the predicates the record table names.
"""
