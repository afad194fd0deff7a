"""Pure tables shared by build, store and web: namespaces, IRIs, media types. No I/O."""
