"""What the three services share and may not copy: FastAPI and SQLAlchemy live here, no service.

Only the rate limiter so far (``servicekit.ratelimit``); the rest of the kit moves in later.
"""

__all__: list[str] = []
