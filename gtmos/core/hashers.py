"""The password hasher: Argon2id at OWASP's recommended parameters.

Django's default, PBKDF2 at 1.2 M iterations, costs ~350 ms of CPU per hash here; a burst of prospects activating
(S8 sets a password) then holds every web worker and every other page waits. OWASP's Password Storage Cheat Sheet
lists Argon2id with 19 MiB of memory, 2 passes and 1 lane as its first choice, equivalent to PBKDF2-SHA256 at
600 k iterations: memory-hard, so a GPU farm gains far less, and ~30 ms of CPU. The parameters are settings
(``PASSWORD_ARGON2_*``); a stored hash made with other parameters (or PBKDF2, still listed after this hasher) is
rehashed at the next successful sign-in, as Django does for any hasher whose parameters changed.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    # Same algorithm label as Django's: the stored hashes are standard PHC strings either hasher verifies.

    @property
    def memory_cost(self) -> int:
        return settings.PASSWORD_ARGON2_MEMORY_KIB

    @property
    def time_cost(self) -> int:
        return settings.PASSWORD_ARGON2_TIME_COST

    @property
    def parallelism(self) -> int:
        return settings.PASSWORD_ARGON2_PARALLELISM
