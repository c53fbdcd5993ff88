"""Rent-limit tables (Mietobergrenzen): CSV import with preview, validity, engine view."""
