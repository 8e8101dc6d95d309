"""Scheduled jobs, registered in one place. Each is a thin call into a service, runnable as
`flask --app casework jobs run NAME` and tested without the scheduler.

registry.py   the job table, catch-up after downtime, the leader tick on APScheduler
process.py    `flask --app casework scheduler`: ticks, and gives the lease up on SIGTERM/SIGINT
"""

from casework.jobs.registry import JOBS, Job, register_jobs, run_due_jobs, run_job

__all__ = ["JOBS", "Job", "register_jobs", "run_due_jobs", "run_job"]
