"""Resolve the natural keys integrations send (external ids, employee emails, SKUs) to rows."""

from __future__ import annotations

from django.db import models


class ReferenceNotFound(Exception):
    """A payload names a record that does not exist; ``field`` is the payload field to blame."""

    def __init__(self, field: str, value):
        self.field = field
        self.value = value
        super().__init__(f"{field}: no record matches {value!r}")


def resolve(model: type[models.Model], field: str, value, *, lookup: str = "external_id", required=True):
    if value in (None, ""):
        if required:
            raise ReferenceNotFound(field, value)
        return None
    obj = model.objects.filter(**{lookup: value}).first()
    if obj is None:
        raise ReferenceNotFound(field, value)
    return obj


def resolve_employee(field: str, email, *, required=False):
    from ..models import Employee

    if email in (None, ""):
        if required:
            raise ReferenceNotFound(field, email)
        return None
    obj = Employee.objects.filter(email__iexact=email).first()
    if obj is None:
        raise ReferenceNotFound(field, email)
    return obj


def upsert(model: type[models.Model], *, key: dict, values: dict) -> tuple[models.Model, bool]:
    """update_or_create that reports whether anything changed, so replays write nothing."""
    obj = model.objects.filter(**key).first()
    if obj is None:
        return model.objects.create(**key, **values), True
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.save(update_fields=[*changed, *(["updated_at"] if hasattr(obj, "updated_at") else [])])
    return obj, False
