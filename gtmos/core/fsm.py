"""The one base for models with a state machine: django-fsm-2's concurrency mixin, with a reload that is safe
when several threads reload instances of the same model at once.

django-fsm-2's ``FSMModelMixin.refresh_from_db`` lets a reload write a protected state field by switching the
*field's* ``protected`` flag off and back on around it. The field object is shared by every instance of the
model, so in a threads-pool worker one thread's reload switches protection back on in the middle of
another's, and that reload fails with "Direct … modification is not allowed" (seen in the prospect benchmark's
worker closing self-serve deals). The state descriptor only refuses to overwrite a value the instance
already holds, so here the reload clears this instance's own state values first — nothing shared is touched.
"""

from __future__ import annotations

from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMFieldMixin

_RELOADING = "_state_fields_reloading"


class StateMachineMixin(ConcurrentTransitionMixin):
    def get_deferred_fields(self) -> set[str]:
        # The state values cleared for a reload are still to be loaded, not deferred.
        return super().get_deferred_fields() - self.__dict__.get(_RELOADING, set())

    def refresh_from_db(self, using=None, fields=None, from_queryset=None) -> None:
        wanted = None if fields is None else set(fields)
        reloading = {
            f.attname
            for f in self._meta.concrete_fields
            if isinstance(f, FSMFieldMixin)
            and f.protected
            and f.attname in self.__dict__
            and (wanted is None or f.attname in wanted)
        }
        held = {name: self.__dict__.pop(name) for name in reloading}
        self.__dict__[_RELOADING] = reloading
        try:
            # Skips FSMModelMixin's flag switching; Django's own reload writes the cleared values back.
            models.Model.refresh_from_db(self, using=using, fields=fields, from_queryset=from_queryset)
        except BaseException:
            self.__dict__.update(held)
            raise
        finally:
            del self.__dict__[_RELOADING]
        self._update_initial_state()
