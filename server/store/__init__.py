"""Read-only query access to a release, behind one small interface. Only this package touches pyoxigraph."""
