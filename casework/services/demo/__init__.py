"""A demo that looks lived in: a few hundred complaints over the last 18 months across the demo
corridors, worked through the real services with the clock set to each step's time, so every
staff screen (queues, case pages, flags, referrals, reports) has something real to show.

plan.py     who complains, about what, and what happens next: a seeded plan of every case
history.py  plays the plan through the real services, in time order, with the stalled scan
"""

from casework.services.demo.history import Played, play

__all__ = ["Played", "play"]
