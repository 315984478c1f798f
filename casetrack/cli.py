"""Flask commands: township, user and demo (later: report, ledger, backup)."""

import sys

import click
from flask import Flask
from sqlalchemy import func, select

from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.ledger.cli import ledger_group
from casetrack.models import Role, Township
from casetrack.services import accounts, places


def init_app(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(township_group)
    app.cli.add_command(county_group)
    app.cli.add_command(token_group)
    app.cli.add_command(user_group)
    app.cli.add_command(demo_command)
    app.cli.add_command(holidays_group)
    app.cli.add_command(report_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(ledger_group)
    from casetrack.notifications_cli import remind_command

    app.cli.add_command(remind_command)
    from casetrack.warnings_cli import warnings_group

    app.cli.add_command(warnings_group)


def _fail(message: str) -> None:
    db.session.rollback()
    raise click.ClickException(message)


def _names(text: str) -> list[str]:
    """Split a comma-separated list of names, ASCII or Chinese commas."""
    return [name.strip() for name in text.replace(",", ",").split(",") if name.strip()]


@click.group("township", help="管理乡镇 (townships).")
def township_group():
    pass


@township_group.command("add")
@click.argument("name")
@click.option("--villages", default="", help="逗号分隔的行政村名称 V1,V2,...")
def township_add(name: str, villages: str):
    """Create a township with its villages."""
    try:
        township = places.add_township(name, _names(villages))
    except DomainError as refused:
        _fail(str(refused))
    db.session.commit()
    click.echo(f"已创建 {township.name}:{len(township.villages)} 个行政村")


@click.group("county", help="管理县 (counties) 及其乡镇。")
def county_group():
    pass


@county_group.command("add")
@click.argument("name")
@click.option("--townships", default="", help="逗号分隔的乡镇名称 T1,T2,...(须已存在)")
def county_add(name: str, townships: str):
    """Create a county holding existing townships."""
    from casetrack.services import counties

    try:
        county = counties.add_county(name, _names(townships))
    except DomainError as refused:
        _fail(str(refused))
    db.session.commit()
    click.echo(f"已创建 {county.name}:{len(county.townships)} 个乡镇")


@click.group("token", help="管理 API 令牌 (/api/v1 bearer tokens).")
def token_group():
    pass


@token_group.command("create")
@click.argument("username")
@click.option("--days", type=click.IntRange(0, 3650), default=90, show_default=True, help="有效天数;0 为不过期")
@click.option("--name", default="", help="用途说明,如“县信访系统”")
def token_create(username: str, days: int, name: str):
    """Make an API token for the account and print it once: only its hash is kept."""
    from casetrack.models import User
    from casetrack.services import api_tokens

    user = db.session.execute(select(User).where(User.username == username.strip())).scalar_one_or_none()
    if user is None:
        _fail(f"用户“{username}”不存在。")
    try:
        row, token = api_tokens.create_token(user, days or None, name)
    except DomainError as refused:
        _fail(str(refused))
    db.session.commit()
    until = f"{row.expires_at:%Y-%m-%d %H:%M} UTC 前有效" if row.expires_at else "不过期"
    click.echo(f"已为 {user.username} 创建令牌 #{row.id}({until})。令牌只显示这一次,请妥善保存:", err=True)
    click.echo(token)


@token_group.command("revoke")
@click.argument("token_id", type=int)
def token_revoke(token_id: int):
    """Revoke a token by its number (#N, as listed on the admin page)."""
    from casetrack.models import ApiToken
    from casetrack.services import api_tokens

    row = db.session.get(ApiToken, token_id)
    if row is None:
        _fail(f"令牌 #{token_id} 不存在。")
    api_tokens.revoke(row)
    db.session.commit()
    click.echo(f"已撤销令牌 #{token_id}。")


@click.group("user", help="管理用户 (accounts).")
def user_group():
    pass


@user_group.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--village", help="村调解员所属的行政村")
@click.option("--township", help="所属乡镇(村名有重名时也用它区分)")
@click.option("--county", help="县级账号所属的县")
@click.option("--full-name", default="", help="姓名")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取密码")
def user_add(username, role, village, township, county, full_name, password_stdin):
    """Create an account; the password is read from standard input, never from the command line."""
    if not password_stdin:
        _fail("请用 --password-stdin 从标准输入提供密码。")
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        township_row = places.find_township(township) if township else None
        village_row = None
        if village:
            village_row = _find_village(village, township_row)
        county_row = None
        if county:
            from casetrack.services import counties

            county_row = counties.find_county(county)
        user = accounts.add_user(
            username, password, Role(role), township=township_row, village=village_row, full_name=full_name,
            county=county_row,
        )
    except DomainError as refused:
        _fail(str(refused))
    db.session.commit()
    click.echo(f"已创建用户 {user.username}({user.role.label})")


@user_group.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="从标准输入读取新密码")
@click.option("--temporary", is_flag=True, help="临时密码:该用户下次登录时须自行设置新密码")
def user_password(username: str, password_stdin: bool, temporary: bool):
    """Set an account's password (read from standard input), end its sessions and lift its login locks.

    Whoever runs it at the server is usually the account's owner getting back in, so the password stands;
    --temporary makes it one the user must replace at the next login, as an admin's reset on the web does.
    """
    from casetrack.models import User

    if not password_stdin:
        _fail("请用 --password-stdin 从标准输入提供密码。")
    password = sys.stdin.readline().rstrip("\r\n")
    user = db.session.execute(select(User).where(User.username == username.strip())).scalar_one_or_none()
    if user is None:
        _fail(f"用户“{username}”不存在。")
    try:
        accounts.reset_password(user, password)
    except DomainError as refused:
        _fail(str(refused))
    user.must_change_password = temporary
    db.session.commit()
    click.echo(f"已为 {user.username} 设置新密码。" + ("该用户下次登录时须修改密码。" if temporary else ""))


def _find_village(name: str, township: Township | None):
    if township is not None:
        return places.find_village(township, name)
    from casetrack.models import Village

    matches = db.session.execute(select(Village).where(Village.name == name)).scalars().all()
    if not matches:
        raise DomainError("行政村“%(name)s”不存在。", name=name)
    if len(matches) > 1:
        raise DomainError("有多个名为“%(name)s”的行政村,请用 --township 指定乡镇。", name=name)
    return matches[0]


@click.command("demo", help="创建演示乡镇 斜沟乡 及其账号和案件。")
@click.option("--password", help="所有演示账号的密码(不提供则随机生成)")
@click.option("--if-empty", is_flag=True, help="数据库已有乡镇时不做任何事(用于首次启动)")
def demo_command(password: str | None, if_empty: bool):
    """Create the demo township 斜沟乡 with accounts and realistic cases, then print the accounts."""
    from casetrack.services import demo

    if if_empty and db.session.execute(select(func.count()).select_from(Township)).scalar_one():
        click.echo("数据库中已有数据,跳过演示数据。")
        click.echo("登录:用首次启动时打印的账号和密码。忘记密码时,为账号(如 admin)设置新密码:")
        click.echo("  echo '新的密码' | flask --app casetrack user password admin --password-stdin")
        return
    try:
        created = demo.create_demo(password)
    except DomainError as refused:
        _fail(str(refused))
    db.session.commit()
    click.echo(f"已创建演示乡镇 {created.township.name}:{created.case_count} 件纠纷。")
    click.echo("演示账号(用户名 / 密码 / 角色):")
    for username, role_label in created.accounts:
        click.echo(f"  {username:<10} {created.password}  {role_label}")


@click.group("holidays", help="管理法定节假日和调休安排 (public-holiday calendar).")
def holidays_group():
    pass


@holidays_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--year", type=int, help="通知原文缺少标题时的年份 (year of a notice without its title).")
@click.option("--plan", "whole_plan", is_flag=True,
              help="CSV 为该年完整的放假安排 (the CSV is the whole plan: its year is no longer an estimate).")
def holidays_import(path: str, year: int | None, whole_plan: bool):
    """Enter holidays and make-up workdays from the State Council's notice text or a CSV (日期,类型).

    Entered days add to or correct the year's other days; open cases' limits are recomputed.
    """
    from casetrack.services import time_limits

    raw = open(path, "rb").read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    try:
        counts = time_limits.import_calendar_days(text, year=year, whole_plan=whole_plan)
    except ValueError as bad:
        _fail(str(bad))
    db.session.commit()
    for entered_year, count in counts.items():
        click.echo(f"{entered_year}年:已导入 {count} 个日期")


@holidays_group.command("list")
@click.argument("year", type=click.IntRange(1900, 2200))
def holidays_list(year: int):
    """Print every day of YEAR that differs from the ordinary week: YYYY-MM-DD,休 or YYYY-MM-DD,班."""
    from casetrack.services import time_limits

    for day, mark in time_limits.year_differences(year):
        click.echo(f"{day.isoformat()},{mark}")
    if time_limits.holiday_calendar().is_estimated_year(year):
        click.echo(f"# {year}年的放假安排尚未录入:以上为按法定节日的估算(暂定),不含调休。", err=True)


@click.command("report", help="输出年度(或月度、季度)统计报告。")
@click.argument("year", type=int)
@click.option("--township", help="乡镇名称;不指定则为全部乡镇")
@click.option("--month", type=click.IntRange(1, 12), help="月报")
@click.option("--quarter", type=click.IntRange(1, 4), help="季报")
@click.option("--format", "fmt", type=click.Choice(["json", "md", "docx", "xlsx"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="输出文件;不指定时 json/md 打印到屏幕")
def report_command(year, township, month, quarter, fmt, output):
    """Write the figures, their definitions and the report text for a year, month or quarter."""
    from casetrack import clock
    from casetrack.domain.periods import Period
    from casetrack.services import report_files
    from casetrack.services import statistics as stats

    if month and quarter:
        _fail("--month 与 --quarter 只能选一个。")
    period = (Period.of_month(year, month) if month else Period.of_quarter(year, quarter) if quarter
              else Period.of_year(year))
    try:
        if township:
            scope = stats.Scope((places.find_township(township),))
        else:
            townships = tuple(db.session.execute(select(Township).order_by(Township.id)).scalars())
            scope = stats.Scope(townships, all_townships=len(townships) != 1)
    except DomainError as refused:
        _fail(str(refused))
    if report_files.snapshot(period, scope):  # the same figures as the web page's files: as published
        click.echo(f"{period.label}的统计数字已冻结,输出冻结时的数字。", err=True)
    today = clock.today()
    body = report_files.render(period, scope, report_files.published_figures(period, scope, today), fmt, today)
    if output:
        from casetrack.private_files import private_open

        with private_open(output) as handle:  # the figures' case lists: readable by their owner only
            handle.write(body)
        click.echo(f"已写入 {output}")
    elif fmt in ("json", "md"):
        click.echo(body.decode())
    else:
        _fail("docx 和 xlsx 须用 -o 指定输出文件。")


@click.command("backup", help="在系统运行时备份 SQLite 数据库和附件(PostgreSQL 只备份附件,数据库请用 pg_dump)。")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="备份文件(.tar)")
def backup_command(output: str):
    """Write one archive: a consistent copy of the SQLite database while the app serves, and its attachments."""
    from flask import current_app

    from casetrack.documents.attachments import attachment_folder
    from casetrack.services import backup

    try:
        summary = backup.backup_archive(current_app.config["SQLALCHEMY_DATABASE_URI"],
                                        attachment_folder(current_app), output)
    except DomainError as refused:
        _fail(str(refused))
    if summary.database:
        click.echo(f"已备份到 {output}(数据库 {summary.pages} 页,附件 {summary.attachments} 个,完整性检查通过)")
    else:
        click.echo(f"已备份附件到 {output}(附件 {summary.attachments} 个)。PostgreSQL 数据库请另用 pg_dump 备份,例如:"
                   "pg_dump -Fc casetrack > casetrack-$(date +%F).dump")
    if summary.missing:
        click.echo(f"注意:数据库中有 {len(summary.missing)} 个附件的文件已不存在,未能备份。", err=True)


@click.command("restore", help="检查备份文件(含附件)后恢复 SQLite 数据库和附件;也接受旧版的 .sqlite 备份。")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="不再确认")
def restore_command(path: str, yes: bool):
    """Check a backup and put it back in place of the live database and attachments."""
    from flask import current_app

    from casetrack.documents.attachments import attachment_folder
    from casetrack.services import backup

    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    folder = attachment_folder(current_app)
    try:
        with backup.checked(path, folder.parent) as checked:
            if not yes:
                click.confirm(f"将用 {path}(数据库版本 {checked.revision},附件 {len(checked.attachments)} 个)"
                              "覆盖当前数据库,确定吗?", abort=True)
            db.session.remove()
            db.engine.dispose()
            revision = backup.put_back(uri, checked, folder)
    except DomainError as refused:
        _fail(str(refused))
    click.echo(f"已恢复(数据库版本 {revision})。如版本较旧,请运行 flask --app casetrack db upgrade。")
