"""Neo4j: the driver, the transactions, and the statements kept in `cypher/`."""

from .database import Database, Tx, one, rows
from .statements import S, Statement, schema_statements

__all__ = ["Database", "S", "Statement", "Tx", "one", "rows", "schema_statements"]
