"""The last stage of ``ser-kg build``: everything about a release on disk.

``release`` writes the folder (dumps, checksums, manifest) and points ``latest`` at it; its metadata are
``void``, ``catalog`` and ``facts``; ``changes`` and ``searchindex`` are the files made from it and the
release before; ``identifiers`` refuses a release that drops a published IRI; ``inputs`` tells whether
the current release was built from the files as they are now.
"""
