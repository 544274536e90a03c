"""The demo revenue org: one SLM, managers, reps across roles, specialists, RevOps and a CRO."""

from __future__ import annotations

import random
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from gtmos.crm.models import Employee, Role

DEMO_PASSWORD = "demo-pass-2026"

FIRST = [
    "Avery",
    "Jordan",
    "Riley",
    "Casey",
    "Morgan",
    "Taylor",
    "Quinn",
    "Rowan",
    "Skyler",
    "Emerson",
    "Harper",
    "Logan",
    "Parker",
    "Reese",
    "Sage",
    "Blake",
    "Cameron",
    "Drew",
    "Elliot",
    "Finley",
    "Hayden",
    "Jamie",
    "Kendall",
    "Lane",
    "Marlowe",
    "Noel",
    "Oakley",
    "Peyton",
    "Remy",
    "Sutton",
]
LAST = [
    "Nguyen",
    "Okafor",
    "Schmidt",
    "Alvarez",
    "Kowalski",
    "Haddad",
    "Ito",
    "Mensah",
    "Larsen",
    "Duarte",
    "Patel",
    "Rossi",
    "Fischer",
    "Byrne",
    "Moreau",
    "Silva",
    "Kim",
    "Novak",
    "Reyes",
    "Walsh",
]

# Share of reps by role when --reps is given (AE-heavy, like most revenue teams).
REP_MIX = [(Role.AE, 0.35), (Role.SDR, 0.20), (Role.AM, 0.20), (Role.CSM, 0.25)]
REPS_PER_MANAGER = 8


@dataclass
class Org:
    slm: Employee
    by_role: dict[str, list[Employee]]
    logins: list[tuple[str, str, str]]  # (username, role label, what to look at)


def build_org(rng: random.Random, reps: int) -> Org:
    User = get_user_model()
    password = make_password(DEMO_PASSWORD)  # hash once: hashing per user dominates otherwise
    groups = {role.value: Group.objects.get_or_create(name=role.label)[0] for role in Role}
    used_names: set[str] = set()
    by_role: dict[str, list[Employee]] = {role.value: [] for role in Role}
    logins: list[tuple[str, str, str]] = []

    def person(role: str, username: str, manager=None, slm=None, segment="", territory="") -> Employee:
        while True:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
            if name not in used_names or len(used_names) > len(FIRST) * len(LAST) - 5:
                used_names.add(name)
                break
        first, last = name.split(" ")
        user = User.objects.create(
            username=username,
            password=password,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.gtmos.test",
            is_staff=role == Role.REVOPS,
            is_superuser=role == Role.REVOPS,
        )
        user.groups.add(groups[role])
        employee = Employee.objects.create(
            user=user,
            name=name,
            email=user.email,
            role=role,
            manager=manager,
            slm=slm,
            segment=segment,
            territory=territory,
            external_id=f"emp-{username}",
        )
        by_role[role].append(employee)
        return employee

    cro = person(Role.EXECUTIVE, "cro")
    slm = person(Role.SLM, "slm", manager=cro)
    person(Role.REVOPS, "revops")
    logins += [
        ("revops", "RevOps (admin)", "everything, Django admin"),
        ("slm", "Second-line manager", "escalations, holds, overrides"),
        ("cro", "Executive / CRO", "the whole org"),
    ]

    counts = {role: max(1, round(reps * share)) for role, share in REP_MIX}
    territories = ["West", "Central", "East"]
    segments = ["smb", "mm", "ent"]
    for role, count in counts.items():
        managers = []
        for m in range(max(1, -(-count // REPS_PER_MANAGER))):
            managers.append(person(Role.MANAGER, f"mgr-{role}{m + 1}", manager=slm, slm=slm))
        for i in range(count):
            manager = managers[i % len(managers)]
            person(
                role, f"{role}{i + 1}", manager=manager, slm=slm, segment=segments[i % 3], territory=territories[i % 3]
            )
        logins.append((f"mgr-{role}1", f"Manager of {role.label}s", "team book, coaching queue"))
        logins.append((f"{role}1", role.label, "own book"))
    for role, count in ((Role.SE, 3), (Role.POST_SALES, 2), (Role.IMPLEMENTATION_ENGINEER, 2)):
        for i in range(count):
            person(role, f"{role.replace('_', '')}{i + 1}", manager=slm, slm=slm)
    logins.append(("postsales1", "Post-sales", "handoff review queue"))
    return Org(slm=slm, by_role=by_role, logins=logins)
