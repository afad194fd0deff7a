"""SER Linked Data: build and serve the open knowledge graph of the Sociaal-Economische Raad."""

__version__ = "0.1.0"
