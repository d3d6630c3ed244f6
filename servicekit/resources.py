"""What a route asks for, the same in every service: the app's resources and a transaction.

Each service keeps its own ``Resources`` dataclass (what it opens at start-up) and its typed
``ResourcesDep``; ``app.state.resources`` holds it, with the ``sessions`` factory of its
database, whatever else it has.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

__all__ = ["SessionDep", "app_resources", "get_session"]


def app_resources(request: Request) -> Any:
    """The app's resources (the one untyped hop: each service casts to its own class)."""
    return request.app.state.resources


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed on success, rolled back on error."""
    with app_resources(request).sessions.begin() as session:
        yield session


#: scope="function": commit before the response is sent, so a client that reads back what it
#: just created sees it, and a failed commit is an error rather than a success already sent
SessionDep = Annotated[Session, Depends(get_session, scope="function")]
