"""The schedules of the systems ripple replaces, each in its own time zone (README: Orchestration).

Each run request carries a run key naming the local business day (and window) it is for, so a
tick evaluated twice launches one run. Catch-up needs no Dagster backfill: a run loads every
file or row still pending, however many days the scheduler was down.
"""

from datetime import timedelta

import dagster as dg
from dagster import ScheduleEvaluationContext

from orchestration.jobs import nightly_build_job, sales_job, summary_job, tickets_job

KOLKATA = "Asia/Kolkata"
SAO_PAULO = "America/Sao_Paulo"
# the sales chain's business windows (generator/sales.py): 10:00-12:00 ... 20:00-22:00; a run
# at the end of each picks up that window's files
WINDOW_ENDS = (12, 14, 16, 18, 20, 22)
WINDOW_HOURS = 2


@dg.schedule(
    job=tickets_job,
    cron_schedule="0 8 * * *",
    execution_timezone=KOLKATA,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="08:00 Asia/Kolkata: every ticket file not loaded yet (catch-up), then the ticket models",
)
def tickets_daily(context: ScheduleEvaluationContext) -> dg.RunRequest:
    local = context.scheduled_execution_time
    return dg.RunRequest(
        run_key=f"tickets {local:%Y-%m-%d}",
        tags={"ripple/business_date": f"{local - timedelta(days=1):%Y-%m-%d}", "ripple/catch_up": "every pending day"},
    )


@dg.schedule(
    job=sales_job,
    cron_schedule=f"0 {','.join(str(h) for h in WINDOW_ENDS)} * * *",
    execution_timezone=SAO_PAULO,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="end of each business window, 12:00 to 22:00 America/Sao_Paulo: that window's sales files",
)
def sales_windows(context: ScheduleEvaluationContext) -> dg.RunRequest:
    end = context.scheduled_execution_time
    window = f"{end - timedelta(hours=WINDOW_HOURS):%H:%M}-{end:%H:%M}"
    return dg.RunRequest(
        run_key=f"sales {end:%Y-%m-%d} {window}",
        tags={"ripple/business_date": f"{end:%Y-%m-%d}", "ripple/window": window},
    )


@dg.schedule(
    job=nightly_build_job,
    cron_schedule="0 2 * * *",
    execution_timezone=SAO_PAULO,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="02:00 America/Sao_Paulo: silver and gold built again with all their tests",
)
def nightly_build(context: ScheduleEvaluationContext) -> dg.RunRequest:
    return dg.RunRequest(run_key=f"nightly build {context.scheduled_execution_time:%Y-%m-%d}")


@dg.schedule(
    job=summary_job,
    cron_schedule="0 6 * * *",
    execution_timezone=SAO_PAULO,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="06:00 America/Sao_Paulo: accounts_all's new versions, then the summary and its validations",
)
def account_summary_daily(context: ScheduleEvaluationContext) -> dg.RunRequest:
    return dg.RunRequest(run_key=f"summary {context.scheduled_execution_time:%Y-%m-%d}")


SCHEDULES = [tickets_daily, sales_windows, nightly_build, account_summary_daily]
