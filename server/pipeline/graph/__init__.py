"""The second stage of ``ser-kg build``: the records as RDF triples, the data graph of a release.

``reader`` reads each value into an RDF term, ``transform`` writes a record's triples with the periods
(``periods``), names (``labels``), sources (``citations``, ``reification``) and entailed types and
properties (``inference``); ``rebase`` moves a graph to another base IRI.
"""
