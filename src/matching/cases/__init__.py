"""Casework: prevention (Wohnungssicherung) and search cases, deadlines, contacts, sharing."""
