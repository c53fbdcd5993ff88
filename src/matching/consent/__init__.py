"""Household consents (Schweigepflichtentbindung): what may be shared with which landlords."""
