"""Flask commands for the ledger (台账): template, import and export."""

import sys
from pathlib import Path

import click

from casetrack import clock
from casetrack.domain.errors import DomainError
from casetrack.extensions import db
from casetrack.ledger import exporting, history
from casetrack.ledger.format import SHEET_NAMES, BadValue
from casetrack.ledger.importing import UPDATE, Plan, apply_plan, plan_import
from casetrack.ledger.lookups import TownshipBook, find_township
from casetrack.ledger.mapping import parse_map_options
from casetrack.ledger.template import build_template
from casetrack.private_files import private_open

SHOWN_UPDATES = 100  # changed cases listed one by one; the rest are counted


def _fail(message: str) -> None:
    db.session.rollback()
    raise click.ClickException(message)


def _one_township(name: str | None):
    try:
        township = find_township(name)
    except DomainError as refused:
        _fail(str(refused))
    if township is None:
        _fail("数据库中有多个乡镇,请用 --township 指定。")
    return township


@click.group("ledger", help="台账:下载模板、导入、按年导出 (ledger template, import and export).")
def ledger_group():
    pass


@ledger_group.command("template")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="模板文件 FILE.xlsx")
@click.option("--township", help="乡镇(数据库中有多个乡镇时必填)")
def template_command(output: str, township: str | None):
    """Write the ledger template with the township's villages, types and values as drop-down lists."""
    if not output.lower().endswith(".xlsx"):
        _fail("模板文件名应以 .xlsx 结尾。")
    row = _one_township(township)
    with private_open(output) as stream:
        build_template(TownshipBook(row), stream)
    click.echo(f"已生成{row.name}台账模板:{output}")


def print_plan(plan: Plan) -> None:
    """Print what an import found and will do, errors last so they stay on screen."""
    for notice in plan.notices:
        click.echo(f"提示:{notice}")
    for line in plan.summary():
        click.echo(line)
    updates = plan.of(UPDATE)
    for row in updates[:SHOWN_UPDATES]:
        changed = ";".join(f"{h} {old or '—'} → {new or '—'}" for h, (old, new) in row.changes.items())
        click.echo(f"  更新 {row.values.number}({SHEET_NAMES[row.kind]} 第{row.row}行):{changed}")
    if len(updates) > SHOWN_UPDATES:
        click.echo(f"  ……另有 {len(updates) - SHOWN_UPDATES} 件更新未列出")
    if plan.errors:
        click.echo(f"发现 {len(plan.errors)} 处错误:", err=True)
        for error in plan.errors:
            click.echo(f"  {error}", err=True)


@ledger_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--township", help="只导入这个乡镇(行中“乡镇”可留空)")
@click.option("--dry-run", is_flag=True, help="只检查并列出将新建和更新的案件,不写入数据库")
@click.option("--valid-only", is_flag=True, help="跳过有错误的行,只导入无错误的行")
@click.option("--map", "maps", multiple=True, metavar='"表中列名=格式列名,…"',
              help="表中的列对应台账格式的哪一列,如 --map \"受理时间=登记日期,当事人=申请人\"(可重复)")
@click.option("--ignore", "ignored", multiple=True, metavar="COLUMN", help="忽略表中的这一列(可重复)")
def import_command(path: str, township: str | None, dry_run: bool, valid_only: bool, maps: tuple, ignored: tuple):
    """Check a whole .xlsx or .csv ledger, then import it in one transaction; exit 1 when any row has errors.

    Headers are read with the common variants (docs/ledger.md), the mapping saved for the township on the web
    preview, and --map / --ignore over both.
    """
    try:
        township_row = find_township(township) if township else None
        mapping = parse_map_options(maps, ignored)
    except (DomainError, BadValue) as refused:
        _fail(str(refused))
    plan = plan_import(Path(path), township=township_row, mapping=mapping)
    if plan.unreadable:
        _fail(f"无法读取“{Path(path).name}”:{plan.unreadable}。未导入任何内容。")
    print_plan(plan)
    for sheet in plan.headers_to_map:
        if sheet.missing:
            click.echo(f"工作表“{sheet.sheet}”第{sheet.header_row}行像是表头,但缺少必填列 {'、'.join(sheet.missing)};"
                       "请用 --map 指明表中哪一列是它们,如 --map \"受理时间=登记日期\"。", err=True)
    if dry_run:
        db.session.rollback()
        click.echo("试运行:未写入数据库。")
        sys.exit(1 if plan.errors else 0)
    if plan.errors and not valid_only:
        db.session.rollback()
        click.echo("有错误,未导入任何内容。改正后重新导入,或加 --valid-only 只导入无错误的行。", err=True)
        sys.exit(1)
    apply_plan(plan, None, valid_only=valid_only)
    history.record_import(plan, None, "cli", clock.now_utc())
    db.session.commit()
    if plan.errors:
        click.echo(f"已导入无错误的行;有错误的 {sum(n['error'] for n in plan.counts().values())} 行已跳过。", err=True)
        sys.exit(1)
    click.echo("导入完成。")


@ledger_group.command("export")
@click.argument("year", type=int)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="FILE.xlsx(两个工作表)或 FILE.csv(写成 FILE-矛盾纠纷.csv 和 FILE-信访.csv)")
@click.option("--township", help="乡镇(数据库中有多个乡镇时必填)")
def export_command(year: int, output: str, township: str | None):
    """Export a year's disputes and petitions (by registration date) as the ledger, with their time limits."""
    row = _one_township(township)
    try:
        paths = exporting.export_year(output, row, year)
    except DomainError as refused:
        _fail(str(refused))
    db.session.rollback()
    for kind, path in dict.fromkeys(paths.items()):
        click.echo(f"已导出{row.name}{year}年{SHEET_NAMES[kind]}台账:{path}")
