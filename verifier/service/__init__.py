"""Verifier logic; no FastAPI imports here."""
