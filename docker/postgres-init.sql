-- One database per service (each has its own Alembic history); run once, on an empty volume.
CREATE DATABASE musette_wallet OWNER musette;
CREATE DATABASE musette_verifier OWNER musette;
