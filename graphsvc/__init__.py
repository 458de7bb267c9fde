"""graphsvc: a multi-tenant social graph service on Neo4j."""

__version__ = "0.1.0"
