"""Analyses that answer a regional planner's questions, one module per family.

Every function takes NetworkX graphs from :mod:`graph.projection` first and
returns plain dicts and lists keyed by IRI; none reads RDF.
"""
