"""What the three services share and may not copy: FastAPI and SQLAlchemy live here, no service.

Database setup and the Alembic env (``db``), migrations under a lock (``migrations``), the
settings base (``settings``), master secrets and start-up checks (``instances``), health,
metrics and request logs (``operations``, ``metrics``, ``logs``), settings from the
environment and files (``config``), i18n and page templates (``i18n``),
CORS for the public protocol endpoints (``cors``), rate limits (``ratelimit``) and the
reader's time zone (``timezone``), problem+json handlers and the body limit (``problems``),
CSRF tokens (``csrf``), the session cookie and API keys on the wire (``auth``), and the
app's resources and per-request transaction (``resources``), and what pages do around
their templates: the language remembered, the sign-in redirect and where it leads back
(``pages``); a service's app built around its routes (``app``).
"""

__all__: list[str] = []
