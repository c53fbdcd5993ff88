"""The suite hashes passwords with argon2's cheapest profile; the product's hasher is kept.

argon2 is deliberately slow (about 0.1 s a verification here, more with two workers on two
cores) and the suite logs in well over a thousand times. Importing this module swaps the
hasher once per process (a module runs once, however often conftest is imported); tests about
the product's cost ask for the fixture ``production_argon2``, which swaps it back.
"""

from __future__ import annotations

from argon2 import PasswordHasher, profiles

from matching.security import passwords

PRODUCTION_HASHER = passwords._hasher
PRODUCTION_DUMMY_HASH = passwords._DUMMY_HASH
CHEAP_HASHER = PasswordHasher.from_parameters(profiles.CHEAPEST)

passwords._hasher = CHEAP_HASHER
passwords._DUMMY_HASH = CHEAP_HASHER.hash("dummy-password-for-timing")
