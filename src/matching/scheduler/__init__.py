"""Periodic jobs (reminders, expiry, outbox delivery) under a database lease."""
