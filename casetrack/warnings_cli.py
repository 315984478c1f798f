"""`flask warnings refresh`: re-judge every township's early warnings (run nightly, e.g. from cron)."""

from datetime import date

import click

from casetrack.extensions import db
from casetrack.models import Township
from casetrack.services import warnings as services


@click.group("warnings", help="预警 (early warnings).")
def warnings_group():
    pass


@warnings_group.command("refresh")
@click.option("--township", "township_name", default=None, help="只刷新该乡镇(默认全部)")
@click.option("--today", "today", default=None, help="按该日期判断(YYYY-MM-DD,默认今天)")
def refresh(township_name: str | None, today: str | None):
    """Re-judge the warnings of every township (or one): raise, change and resolve them."""
    day = date.fromisoformat(today) if today else None
    if township_name:
        township = db.session.execute(db.select(Township).where(Township.name == township_name)).scalar_one_or_none()
        if township is None:
            raise click.ClickException(f"乡镇“{township_name}”不存在。")
        results = {township.name: services.refresh_township(township, day)}
        db.session.commit()
    else:
        results = services.refresh_all(day)
    for name, counts in results.items():
        click.echo(f"{name}: 新增{counts['raised']} 变更{counts['changed']} 解除{counts['resolved']}")
