"""Neo4j: the driver, the transactions, and the statements kept in `cypher/`."""

from .database import Database, Tx, one, rows
from .records import as_dict
from .schema import apply_schema, apply_schema_async
from .statements import S, Statement, schema_statements

__all__ = ["Database", "S", "Statement", "Tx", "apply_schema", "apply_schema_async", "as_dict", "one", "rows",
           "schema_statements"]
