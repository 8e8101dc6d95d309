"""Scheduled jobs, registered in one place. Each is a thin call into a service, runnable as
`flask --app casework jobs run NAME` and tested without the scheduler."""

from casework.jobs.registry import JOBS, Job, register_jobs, run_due_jobs, run_job

__all__ = ["JOBS", "Job", "register_jobs", "run_due_jobs", "run_job"]
