"""A remote SPARQL engine (oxigraph serve, Virtuoso): its clients, the store and runner over it, publishing to it."""
