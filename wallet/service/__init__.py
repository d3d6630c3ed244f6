"""Wallet logic: no FastAPI here."""
