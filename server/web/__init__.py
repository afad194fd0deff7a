"""The HTTP layer: SPARQL protocol, dereferencing, pages, downloads, catalogue. Never imports server.pipeline."""
