"""The offline pipeline: source records -> RDF -> SHACL validation -> checks -> release.

Never imports server.store or server.web.
"""
