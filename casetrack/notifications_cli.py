"""`flask --app casetrack remind`: queue the day's digests and send what waits in the outbox (cron / Task Scheduler)."""

import click

from casetrack import clock
from casetrack.extensions import db
from casetrack.services import notifications


@click.command("remind", help="发送待办提醒:每人每天一份汇总,以及排队中的即时消息 (digests and queued messages).")
@click.option("--dry-run", is_flag=True, help="只列出每人每个渠道将发送的内容,不发送、不记录。")
@click.option("--digest-hour", default=8, show_default=True, type=click.IntRange(0, 23),
              help="北京时间几点起发送当天的汇总;之前的运行只发送即时消息。")
def remind_command(dry_run: bool, digest_hour: int):
    today, now = clock.today(), clock.now_utc()
    digests_due = clock.to_beijing(now).hour >= digest_hour
    if dry_run:
        planned = notifications.what_would_be_sent(today, now, digests=digests_due)
        for person, channel, text in planned:
            click.echo(f"== {person} · {channel} ==\n{text}")
        click.echo(f"共{len(planned)}条,未发送(--dry-run)。")
        db.session.rollback()
        return
    queued = notifications.queue_digests(today, now) if digests_due else 0
    db.session.commit()
    result = notifications.deliver_pending(now)
    click.echo(f"汇总{queued}份;发送成功{result.sent}条,待重试{result.retrying}条,失败{result.failed}条。")
