"""A Python client for graphsvc, sync (`Client`) and asyncio (`AsyncClient`), named
after the SDK seed (004): `client.connections.fetch_connections(user_id, page,
limit)`, `client.users.request_connection(...)`, plus `follows`, `pages`, `posts`,
`visibility`, `blocks` and `graph`.

    from . import Client
    with Client("http://127.0.0.1:8000", org="my-org", token=jwt) as client:
        for conn in client.paginate(client.connections.fetch_connections):
            print(conn.user.id)

Answers are pydantic models (`PaginatedResponse[EstablishedConnection]`, ...);
errors are typed exceptions (`graphsvc.client.errors`); 503s are retried with
back-off.
"""

from . import errors, models
from .aio import AsyncClient
from .errors import GraphsvcError
from .models import ConnectionActionResponse, EstablishedConnection, PaginatedResponse, PendingConnection
from .sync import Client

__all__ = ["AsyncClient", "Client", "ConnectionActionResponse", "EstablishedConnection", "GraphsvcError",
           "PaginatedResponse", "PendingConnection", "errors", "models"]
