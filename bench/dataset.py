"""The bulk data of the database benchmarks: one world, its staff and agencies, and the cases of
each benchmark's mix, inserted with SQLAlchemy Core executemany.

The world is the same in every benchmark: the corridors and their shares of the caseload, the
languages, currencies and wages, and seven organisations (one per origin country, two on the
destination side) with 200 caseworkers. What differs is the case mix, so each benchmark brings a
`CaseMix` subclass that says which random draws make one case and its rows:

  reports_page.py   fees in the origin currency, outcomes and referrals on finished cases
  queue_pages.py    timelines, transfers, consent-driven destination offers, one measured
                    caseworker with ~300 live cases
  stalled_scan.py   a fixed set of due cases, spread over the id range, with sealed timelines

A mix draws from one `random.Random(seed)` in a fixed order, so a seed gives the same rows on
SQLite and PostgreSQL whatever the chunk size (only `now` moves them in time). Inside an app
context:

    prepare_database("models")                    # tables, countries, codes, rules, rates
    staff = create_staff(organisations(), PASSWORD)
    agencies = insert_agencies(now, random.Random(11), unlicensed_every=3)
    counts = load_cases(MyMix(seed, now, staff, agencies), cases)
    analyze()
"""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

# --- the world --------------------------------------------------------------------------------
# (origin, destination, weight): shares of the caseload per corridor
CORRIDORS = [
    ("NP", "QA", 10), ("NP", "AE", 6), ("NP", "SA", 5), ("NP", "MY", 6),
    ("PH", "SA", 8), ("PH", "AE", 6), ("PH", "HK", 6), ("PH", "QA", 3),
    ("ID", "MY", 9), ("ID", "HK", 7),
    ("BD", "SA", 9), ("BD", "MY", 5),
    ("PK", "SA", 12), ("PK", "AE", 8),
]  # fmt: skip
# the languages workers from each origin country write in, the most common first
LANGUAGES = {"NP": ("ne", "en"), "PH": ("tl", "en"), "ID": ("id", "en"), "BD": ("en",),
             "PK": ("ur", "en")}  # fmt: skip
CURRENCY = {"NP": "NPR", "PH": "PHP", "ID": "IDR", "BD": "BDT", "PK": "PKR", "QA": "QAR",
            "AE": "AED", "SA": "SAR", "MY": "MYR", "HK": "HKD"}  # fmt: skip
PER_USD = {"NPR": 133.0, "PHP": 56.0, "IDR": 15600.0, "BDT": 110.0, "PKR": 280.0,
           "QAR": 3.64, "AED": 3.6725, "SAR": 3.75, "MYR": 4.6, "HKD": 7.8}  # fmt: skip
WAGE = {"QA": 1200, "AE": 1300, "SA": 1200, "MY": 1500, "HK": 4800}  # monthly, local currency
OPEN = ("received", "triaged", "in_progress", "awaiting_worker", "referred")
FINISHED = ("resolved", "closed", "withdrawn")
# bulk cases are listed and counted, never opened; a wrapped key still marks them not purged
DUMMY_KEY = {"key_id": "bench-dummy", "wrapped_key": b"\0" * 60, "secret_hash": "bench-dummy"}


class Org(NamedTuple):
    name: str
    kind: str
    countries: list[str]
    languages: list[str]
    caseworkers: int


ORGANISATIONS = {
    "gefont": Org("GEFONT Migrant Workers Desk", "union", ["NP"], ["ne", "en"], 50),
    "pinoy-mrc": Org("Philippine Migrant Resource Centre", "migrant_resource_centre", ["PH"],
                     ["tl", "en"], 40),
    "indo-ngo": Org("Indonesian Migrant Workers NGO", "ngo", ["ID"], ["id", "en"], 25),
    "bd-mrc": Org("Bangladesh Migrant Resource Centre", "migrant_resource_centre", ["BD"],
                  ["en"], 20),
    "pakistan-union": Org("Pakistan Overseas Workers Union", "union", ["PK"], ["ur", "en"], 30),
    "gulf-legal-aid": Org("Gulf Migrant Legal Aid", "legal_aid", ["QA", "AE", "SA"],
                          ["en", "ne", "ur", "tl"], 25),
    "asia-ngo": Org("Asia Domestic Workers Network", "ngo", ["MY", "HK"], ["en", "id", "tl"], 10),
}  # fmt: skip


def organisations(*slugs: str, caseworkers: int | None = None) -> dict[str, Org]:
    """Some of ORGANISATIONS (all without slugs), with `caseworkers` caseworkers each if given."""
    chosen = {slug: ORGANISATIONS[slug] for slug in slugs or ORGANISATIONS}
    if caseworkers is None:
        return chosen
    return {slug: org._replace(caseworkers=caseworkers) for slug, org in chosen.items()}


def status_by_age(rng: random.Random, age_days: float) -> str:
    """A case's status for its age: new ones often unread, old ones mostly closed."""
    if age_days < 45 and rng.random() < 0.35:
        return "received"
    if age_days < 365:
        table = (("triaged", 12), ("in_progress", 40), ("awaiting_worker", 14), ("referred", 9),
                 ("resolved", 12), ("closed", 9), ("withdrawn", 4))  # fmt: skip
    else:
        table = (("in_progress", 12), ("awaiting_worker", 5), ("referred", 5), ("resolved", 18),
                 ("closed", 53), ("withdrawn", 7))  # fmt: skip
    return rng.choices([s for s, _ in table], [w for _, w in table])[0]


# --- schema, reference data, staff, agencies --------------------------------------------------
def prepare_database(schema: str = "models") -> None:
    """The tables (the models' `create_all`, or the migrations with "migrations"), then the
    reference data the app itself loads: countries, codes, stall rules, referral catalogue."""
    from flask_migrate import upgrade

    from casework.extensions import db
    from casework.services.demo_data import load_reference_data

    if schema == "models":
        db.create_all()
    else:
        upgrade()
    load_reference_data()


def add_monthly_rates(now: datetime, years: int = 3, seed: int = 7) -> None:
    """An exchange rate for every currency of PER_USD on the first of each month, `years` back."""
    from casework.extensions import db
    from casework.models import ExchangeRate

    rng = random.Random(seed)
    month = date(now.year - years, now.month, 1)
    while month <= now.date():
        for currency, per_usd in PER_USD.items():
            if db.session.get(ExchangeRate, (currency, month)) is None:
                rate = Decimal(str(round(per_usd * rng.uniform(0.95, 1.05), 4)))
                db.session.add(ExchangeRate(currency=currency, valid_from=month, per_usd=rate))
        month = (month + timedelta(days=32)).replace(day=1)
    db.session.commit()


@dataclass
class Staff:
    org_ids: dict[str, int]  # slug: id
    org_for: dict[str, str]  # country: the slug of the organisation covering it
    caseworkers: dict[str, list[int]]  # slug: user ids, in creation order
    supervisors: dict[str, str]  # slug: email
    emails: dict[int, str] = field(default_factory=dict)  # user id: email
    admin: str = ""  # the platform admin's email, when there is one


def create_staff(
    orgs: Mapping[str, Org], password: str | None = None, admin: bool = False
) -> Staff:
    """The organisations with a supervisor and their caseworkers each (speaking the first two of
    the organisation's languages, which notifications are written in), through the ORM, ids in
    creation order; with `admin`, a platform organisation (after the others) and its admin (the
    first user). Without a password nobody can sign in."""
    from casework.extensions import db
    from casework.models import Organisation, User
    from casework.services.directory.staff_auth import hash_password

    password_hash = hash_password(password) if password else "bench-dummy"
    rows = {}
    for slug, org in orgs.items():
        row = Organisation(slug=slug, name=org.name, kind=org.kind)
        row.countries, row.languages = org.countries, org.languages
        db.session.add(row)
        rows[slug] = row
    people: list[tuple[str, str, Organisation, list[str]]] = []
    if admin:
        platform = Organisation(slug="platform", name="Platform", kind="ngo")
        db.session.add(platform)
        people.append(("admin", "admin@platform.example.org", platform, []))
    db.session.flush()
    for slug, org in orgs.items():
        people.append(
            ("supervisor", f"supervisor@{slug}.example.org", rows[slug], org.languages[:2])
        )
        people += [
            ("caseworker", f"caseworker{n}@{slug}.example.org", rows[slug], org.languages[:2])
            for n in range(1, org.caseworkers + 1)
        ]
    users = []
    for role, email, row, languages in people:
        user = User(
            email=email,
            name=f"{row.name} {email.split('@')[0]}",
            organisation_id=row.id,
            role=role,
            password_hash=password_hash,
        )
        user.languages = languages
        db.session.add(user)
        users.append((user, row.slug))
    db.session.commit()
    staff = Staff(
        org_ids={slug: row.id for slug, row in rows.items()},
        org_for={country: slug for slug, org in orgs.items() for country in org.countries},
        caseworkers={slug: [] for slug in orgs},
        supervisors={slug: f"supervisor@{slug}.example.org" for slug in orgs},
        emails={user.id: user.email for user, _slug in users},
        admin=people[0][1] if admin else "",
    )
    for user, slug in users:
        if user.role == "caseworker":
            staff.caseworkers[slug].append(user.id)
    return staff


def insert_agencies(
    now: datetime, rng: random.Random, per_country: int = 300, unlicensed_every: int = 0
) -> dict[str, list[int]]:
    """`per_country` recruitment agencies in each origin country, ids from 1; every
    `unlicensed_every`-th one (the first included) has no licence number."""
    from casework.extensions import db
    from casework.models import Agency

    rows, by_country = [], {}
    for country in LANGUAGES:
        ids = []
        for n in range(per_country):
            name = f"{country} Overseas Manpower {n:03d}"
            unlicensed = unlicensed_every and n % unlicensed_every == 0
            ids.append(len(rows) + 1)
            rows.append(
                {
                    "id": len(rows) + 1,
                    "name": name,
                    "name_key": name.casefold(),
                    "licence_number": ""
                    if unlicensed
                    else f"{rng.randrange(10000)}/{rng.randrange(100):02d}",
                    "country": country,
                    "created_at": now,
                }
            )
        by_country[country] = ids
    with db.engine.begin() as conn:
        conn.execute(Agency.__table__.insert(), rows)
        _move_sequences(conn, ["agencies"])
    return by_country


def insert_registry(now: datetime, rng: random.Random) -> int:
    """A licensed-agency list for every origin country: an entry for each agency with a
    licence number, linked to it, with a status history of one to three lines over the three
    years the cases span (valid since 2022; a third suspended, cancelled or expired for a
    while). Returns the number of entries."""
    from casework.extensions import db
    from casework.models import Agency, RegistryAgency, RegistryStatusChange

    with db.engine.begin() as conn:
        agencies = conn.execute(
            Agency.__table__.select().where(Agency.__table__.c.licence_number != "")
        ).all()
        entries, history = [], []
        for agency in agencies:
            start = date(2022, 1, 1) + timedelta(days=rng.randrange(365))
            lines = [("valid", start)]
            if rng.random() < 0.33:
                stopped = start + timedelta(days=rng.randrange(200, 900))
                lines.append((rng.choice(("suspended", "cancelled", "expired")), stopped))
                if rng.random() < 0.5:
                    lines.append(("valid", stopped + timedelta(days=rng.randrange(30, 200))))
            entries.append(
                {
                    "id": agency.id,
                    "country": agency.country,
                    "licence_number": agency.licence_number,
                    "licence_key": agency.licence_number.replace("/", ""),
                    "name": agency.name,
                    "name_key": agency.name_key,
                    "status": lines[-1][0],
                    "status_date": lines[-1][1],
                    "valid_until": None,
                    "address": "",
                    "phone": "",
                    "representative": "",
                    "source": "bench list",
                    "created_at": now,
                    "updated_at": now,
                }
            )
            history += [
                {
                    "registry_agency_id": agency.id,
                    "status": status,
                    "status_from": since,
                    "valid_until": None,
                    "source": "bench list",
                    "recorded_at": now,
                }
                for status, since in lines
            ]
        conn.execute(RegistryAgency.__table__.insert(), entries)
        conn.execute(RegistryStatusChange.__table__.insert(), history)
        table = Agency.__table__
        conn.execute(
            table.update()
            .where(table.c.licence_number != "")
            .values(registry_agency_id=table.c.id, match_state="licence", matched_at=now)
        )
    return len(entries)


# --- cases ------------------------------------------------------------------------------------
class CaseMix:
    """The rows of the bulk tables, case by case, with explicit ids from 1 in each table.

    A subclass names its `tables` and writes `add_case`, drawing only from `self.rng`."""

    tables: tuple[str, ...] = ("cases",)

    def __init__(
        self,
        seed: int,
        now: datetime,
        staff: Staff,
        agencies: Mapping[str, list[int]] | None = None,
    ) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.staff = staff
        self.agencies = agencies or {}
        self.last_id: Counter[str] = Counter()
        self.rows: dict[str, list[dict[str, Any]]] = {}
        self.corridors = [(o, d) for o, d, _ in CORRIDORS]
        self.weights = [w for _, _, w in CORRIDORS]

    def add_case(self, case_id: int) -> None:
        raise NotImplementedError

    def chunk(self, size: int) -> dict[str, list[dict[str, Any]]]:
        self.rows = {table: [] for table in self.tables}
        for _ in range(size):
            self.add_case(self.next_id("cases"))
        return self.rows

    def next_id(self, table: str) -> int:
        self.last_id[table] += 1
        return self.last_id[table]

    def lodged(self) -> tuple[str, str, datetime, str]:
        """A corridor by its share, a creation time over three years (recent ones likelier) and
        a status for that age."""
        rng = self.rng
        origin, destination = rng.choices(self.corridors, self.weights)[0]
        age = rng.random() ** 1.4 * 1095
        created = self.now - timedelta(days=age, seconds=rng.randrange(86400))
        return origin, destination, created, status_by_age(rng, age)

    def agency(self, origin: str) -> int | None:
        """One of the origin country's agencies for 85 % of the cases."""
        return self.rng.choice(self.agencies[origin]) if self.rng.random() < 0.85 else None

    def event(
        self, case_id: int, kind: str, visibility: str, actor_kind: str, at: datetime,
        detail: str, org_id: int | None = None, user_id: int | None = None,
        sealed: bytes | None = None,
    ) -> None:  # fmt: skip
        self.rows["case_events"].append(
            {
                "id": self.next_id("case_events"),
                "case_id": case_id,
                "kind": kind,
                "visibility": visibility,
                "actor_kind": actor_kind,
                "actor_user_id": user_id,
                "organisation_id": org_id,
                "body_sealed": sealed,
                "detail": detail,
                "created_at": at,
            }
        )

    def maybe_flag(self, case_id: int, status: str, reason: str) -> None:
        """An open "stalled" flag on 4 % of the open cases."""
        rng = self.rng
        if status in OPEN and rng.random() < 0.04:
            self.rows["flags"].append(
                {
                    "id": self.next_id("flags"),
                    "case_id": case_id,
                    "rule": "stalled",
                    "level": rng.choice((1, 1, 2, 3)),
                    "reason": reason,
                    "raised_at": self.now - timedelta(days=rng.randrange(1, 20)),
                    "resolved_at": None,
                }
            )


def load_cases(
    mix: CaseMix, cases: int, chunk: int = 10_000, drop_indexes: bool = False
) -> dict[str, int]:
    """Insert `cases` cases of `mix`: one executemany per table and chunk, committed per chunk
    (SQLite: `synchronous=OFF` meanwhile), then PostgreSQL's sequences moved past the ids. With
    `drop_indexes`, the models' secondary indexes on those tables are dropped for the load and
    built again after it (as any bulk load does: same schema, less time, denser indexes).
    Returns the rows inserted per table."""
    from casework.extensions import db

    tables = {name: db.metadata.tables[name] for name in mix.tables}
    indexes = (
        [i for t in tables.values() for i in t.indexes if not i.unique] if drop_indexes else []
    )
    counts = dict.fromkeys(tables, 0)
    with db.engine.connect() as conn:
        synchronous = None
        if conn.dialect.name == "sqlite":
            synchronous = conn.exec_driver_sql("PRAGMA synchronous").scalar()
            conn.exec_driver_sql("PRAGMA synchronous=OFF")  # the load only
            conn.commit()
        try:
            for index in indexes:
                index.drop(conn)
            done = 0
            while done < cases:
                size = min(chunk, cases - done)
                rows = mix.chunk(size)
                for name, table in tables.items():
                    if rows[name]:
                        conn.execute(table.insert(), rows[name])
                        counts[name] += len(rows[name])
                conn.commit()
                done += size
                if done % 100_000 == 0 or done == cases:
                    print(f"\r  inserted {done:,} cases", end="", flush=True)
            print()
            for index in indexes:
                index.create(conn)
            _move_sequences(conn, tables)
            conn.commit()
        finally:
            if synchronous is not None:
                conn.rollback()  # nothing left open after a failure
                conn.exec_driver_sql(f"PRAGMA synchronous={int(synchronous)}")
                conn.commit()
    return counts


def _move_sequences(conn: Any, names: Iterable[str]) -> None:
    """PostgreSQL: each table's id sequence past the explicit ids the load gave."""
    from casework.extensions import db

    if conn.dialect.name != "postgresql":
        return
    for name in names:
        if "id" in db.metadata.tables[name].c:
            conn.exec_driver_sql(
                f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "  # noqa: S608 - our names
                f"(SELECT max(id) FROM {name}))"
            )


def analyze() -> None:
    """Planner statistics after the load (PostgreSQL: VACUUM ANALYZE, so autovacuum does not
    start in the middle of a measurement), then the load written out: a CHECKPOINT on
    PostgreSQL and the kernel's dirty pages synced. A 1,000,000-case build leaves gigabytes
    to write back; measured straight after it, the pages competed with that write-back for
    the disk and the two cores (page p95 up to 1.6 times what the same pages gave a few
    minutes later). A server in service has no such backlog."""
    from casework.extensions import db

    db.session.commit()
    with db.engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            autocommit = conn.execution_options(isolation_level="AUTOCOMMIT")
            autocommit.exec_driver_sql("VACUUM ANALYZE")
            autocommit.exec_driver_sql("CHECKPOINT")
        else:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    os.sync()
