"""E-mail through a transactional outbox: written with the change, delivered by a worker."""
