"""``/search`` and ``/reconcile``: the index of names, the matching, search and reconciliation."""
