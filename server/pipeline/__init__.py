"""The offline pipeline, one folder per stage of ``ser-kg build`` (ARCHITECTURE.md, "A release"):
``sources/`` (the records) -> ``graph/`` (RDF, with ``assemble``) -> ``shacl/`` (validation) -> ``checks``
(the SPARQL checks) -> ``releases/`` (a release on disk); ``stages`` runs them in order.

Never imports server.web; each folder imports only the folders of the stages before it (pyproject.toml).
"""
