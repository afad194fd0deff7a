"""The embedded Oxigraph database of a release, the in-memory dataset of a build, and ``ser-kg query``."""
