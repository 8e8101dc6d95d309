"""What a new deployment needs before it can take a complaint: countries (from CLDR), the stall
rules and the referral catalogue. No exchange rates (they are imported, never invented) and no
organisations or people (the admins add theirs)."""

from __future__ import annotations

from dataclasses import dataclass

from casework.extensions import db
from casework.services.escalation.stall_rules import load_default_stall_rules
from casework.services.reference.countries import load_countries, offered_codes
from casework.services.referrals.catalogue import load_referral_catalogue


@dataclass(frozen=True)
class ReferenceLoad:
    countries: int
    countries_added: int
    currencies_updated: int
    stall_rules_added: int
    pathways_added: int
    limits_added: int
    origins: list[str]
    destinations: list[str]

    def describe(self) -> str:
        lines = [
            f"{self.countries} countries ({self.countries_added} new, "
            f"{self.currencies_updated} currency updated)",
            f"{self.stall_rules_added} stall rule(s) added",
            f"referral catalogue: {self.pathways_added} pathway(s) and "
            f"{self.limits_added} time limit(s) added",
            f"origins offered: {', '.join(self.origins) or 'none yet'}",
            f"destinations offered: {', '.join(self.destinations) or 'none yet'}",
        ]
        if not (self.origins and self.destinations):
            lines.append(
                "The complaint form needs at least one origin and one destination: choose "
                "them at /admin/countries or with --origins/--destinations."
            )
        return "\n".join(lines)


def load_reference() -> ReferenceLoad:
    """Add what is missing and bring country currencies up to date; never undoes an admin's
    choice or edit. Idempotent; commits."""
    countries = load_countries()
    db.session.commit()
    stall_rules = load_default_stall_rules()
    catalogue = load_referral_catalogue()
    db.session.commit()
    return ReferenceLoad(
        countries=countries.total,
        countries_added=countries.added,
        currencies_updated=countries.updated,
        stall_rules_added=stall_rules,
        pathways_added=catalogue.pathways,
        limits_added=catalogue.rules,
        origins=offered_codes("origin"),
        destinations=offered_codes("destination"),
    )
