"""Background job of exports: write the export's file, reporting progress as it goes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from cxloop.exports import records
from cxloop.jobs import service as jobs


@jobs.handler(records.JOB_KIND)
def run_export(db: Session, job: jobs.JobContext) -> None:
    export_id = str(job.payload["export_id"])
    records.run_export(db, export_id, job.settings, job.attempt, job.keep_alive)
