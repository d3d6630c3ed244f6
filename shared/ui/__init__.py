"""The one stylesheet the three services' pages share (served by each at /static/musette.css)."""

from pathlib import Path

STYLESHEET = Path(__file__).parent / "musette.css"

__all__ = ["STYLESHEET"]
