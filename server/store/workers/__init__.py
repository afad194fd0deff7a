"""The worker processes behind the public SPARQL endpoint: the pool, the protocol, the worker, its isolation."""
