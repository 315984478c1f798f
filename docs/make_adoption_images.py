"""Make docs/adoption.md's screenshots: a fresh database, a township of its own, the clerk's own ledger imported.

    .venv/bin/python docs/make_adoption_images.py [--keep]

Runs what the walk-through says, in a temporary folder: `flask db upgrade`, `township add`, `user add`, then
`python -m casetrack serve --host 0.0.0.0`, and drives Debian's Chromium (/usr/bin/chromium) through
Playwright: log in, upload a ledger written with the clerk's own headers and values, map what is unknown,
import, open last year's report and download it in Word. Writes docs/images/adoption-*.png and prints the
commands' output (for the walk-through's terminal excerpts). Nothing is fetched from outside.
"""

import os
import socket
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from openpyxl import Workbook

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "images"
CHROMIUM = "/usr/bin/chromium"
YEAR = date.today().year - 1
CLERK_PASSWORD = "Dongling-clerk-2026"
MEDIATOR_PASSWORD = "Dongling-tiao-2026"

HEADERS = ["序号", "受理时间", "村名", "纠纷类型", "来源", "当事人", "被申请人", "纠纷简要情况", "办理状态", "调处结果",
           "协议形式", "办结时间", "经办人", "联系电话"]
_CASES = [  # (month, day, village, type, source, applicant, respondent, summary, state, result, form, days, mediator)
    (1, 6, "东岭村", "邻里纠纷", "当事人申请", "张建国", "李春生", "院墙滴水檐占用邻居通道", "已调处", "调解成功", "书面", 9, "王秀兰"),
    (1, 20, "西岭村", "婚姻家庭", "当事人申请", "刘翠花", "刘大勇", "赡养老人费用分摊", "已调处", "成功", "口头", 5, "赵德明"),
    (2, 14, "南沟村", "山林土地", "排查发现", "陈永福", "陈永贵", "承包地边界争议", "已调处", "调解不成", "", 25, "王秀兰"),
    (3, 3, "北坡村", "合同纠纷", "当事人申请", "周小红", "吴二军", "拖欠农机作业费", "已调处", "已调成", "书面", 12, "赵德明"),
    (3, 28, "东岭村", "损害赔偿", "当事人申请", "郑海涛", "孙立平", "放养的羊啃食麦苗", "已调处", "调解成功", "口头", 3, "王秀兰"),
    (4, 17, "西岭村", "房屋宅基地", "信访转调", "马桂英", "马文斌", "宅基地上新建厨房越界", "已调处", "调解成功", "书面", 20, "赵德明"),
    (5, 9, "南沟村", "邻里纠纷", "排查发现", "何志强", "高玉兰", "排水沟堵塞引发争吵", "已调处", "调解成功", "口头", 4, "王秀兰"),
    (6, 22, "北坡村", "劳动争议", "当事人申请", "罗建军", "北坡砖厂", "拖欠务工工资", "已调处", "调解成功", "书面", 15, "赵德明"),
    (8, 5, "东岭村", "婚姻家庭", "当事人申请", "韩丽", "韩志刚", "离婚后子女抚养费", "已调处", "调解不成", "", 28, "王秀兰"),
    (9, 18, "西岭村", "道路交通事故", "当事人申请", "冯国庆", "唐小兵", "三轮车剐蹭赔偿", "已调处", "调解成功", "书面", 6, "赵德明"),
    (11, 2, "南沟村", "邻里纠纷", "当事人申请", "曹秀珍", "彭大山", "树枝遮挡采光", "正在调解", "", "", 0, "王秀兰"),
    (12, 10, "北坡村", "合同纠纷", "当事人申请", "袁文杰", "邓春花", "购买化肥货款纠纷", "受理", "", "", 0, "赵德明"),
]


def clerks_ledger(path: Path) -> Path:
    """Write a ledger as a township keeps it: a title row, its own headers and values, a phone column."""
    from datetime import timedelta

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{YEAR}年"
    sheet.append([f"东岭乡{YEAR}年矛盾纠纷排查调处登记台账"])
    sheet.append(HEADERS)
    for number, (month, day, village, kind, source, applicant, respondent, summary, state, result, form, days,
                 mediator) in enumerate(_CASES, start=1):
        registered = date(YEAR, month, day)
        closed = (registered + timedelta(days=days)).isoformat() if result else ""
        sheet.append([number, registered.isoformat(), village, kind, source, applicant, respondent, summary, state,
                      result, form, closed, mediator, f"1390937{number:04d}"])
    workbook.save(path)
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main(keep: bool = False) -> None:
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="casetrack-adoption-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASETRACK_")}
    env.update(CASETRACK_INSTANCE_PATH=str(work / "instance"), CASETRACK_DATABASE_URL=f"sqlite:///{work / 'db.sqlite'}",
               PYTHONUNBUFFERED="1")

    def flask(*args: str, password: str | None = None) -> None:
        shown = " ".join(args)
        print(f"$ {'echo ... | ' if password else ''}flask --app casetrack {shown}")
        done = subprocess.run([sys.executable, "-m", "flask", "--app", "casetrack", *args], cwd=ROOT, env=env,
                              input=f"{password}\n" if password else None, capture_output=True, text=True, check=True)
        print(done.stdout.strip())

    flask("db", "upgrade")
    flask("township", "add", "东岭乡", "--villages", "东岭村,西岭村,南沟村,北坡村")
    flask("user", "add", "lwenshu", "--role", "staff", "--township", "东岭乡", "--full-name", "李文书", "--password-stdin",
          password=CLERK_PASSWORD)
    flask("user", "add", "wangxl", "--role", "mediator", "--village", "东岭村", "--full-name", "王秀兰",
          "--password-stdin", password=MEDIATOR_PASSWORD)
    ledger = clerks_ledger(work / f"东岭乡{YEAR}年矛盾纠纷台账.xlsx")

    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "casetrack", "serve", "--host", "0.0.0.0", "--port", str(port)],
                              cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in server.stdout:
            print(line.rstrip())
            if line.startswith("按 Ctrl+C"):
                break
        _browse(sync_playwright, f"http://127.0.0.1:{port}", ledger, work)
    finally:
        server.terminate()
        server.wait(timeout=60)
    if not keep:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


def _browse(sync_playwright, base: str, ledger: Path, work: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        desktop = browser.new_context(base_url=base, viewport={"width": 1280, "height": 860}, accept_downloads=True)
        page = desktop.new_page()
        page.set_default_timeout(120_000)
        page.goto("/auth/login")
        page.fill("#username", "lwenshu")
        page.fill("#password", CLERK_PASSWORD)
        page.screenshot(path=IMAGES / "adoption-1-login.png")
        page.click("main button.primary")

        page.goto("/ledger/")
        page.set_input_files("#upload", str(ledger))
        page.click("main form[action$='/upload'] button.primary")
        page.wait_for_selector("#mapping")
        page.locator("section[aria-labelledby=mapping]").screenshot(path=IMAGES / "adoption-2-mapping.png")
        labels = page.locator("section[aria-labelledby=mapping] label")
        for index in range(labels.count()):
            label = labels.nth(index)
            text, target = label.inner_text(), None
            if "“经办人”" in text:
                target = "调解员"
            elif "值“已调处”" in text:
                target = "已调结"
            if target:
                page.select_option(f"#{label.get_attribute('for')}", label=target)
        page.click("section[aria-labelledby=mapping] button.primary")
        page.wait_for_selector(".flash")
        page.screenshot(path=IMAGES / "adoption-3-preview.png", full_page=False)
        page.click("form[action$='/apply'] button.primary")
        page.wait_for_selector(".flash")
        page.screenshot(path=IMAGES / "adoption-4-imported.png", clip={"x": 0, "y": 0, "width": 1280, "height": 420})

        page.goto(f"/reports/{YEAR}")
        page.screenshot(path=IMAGES / "adoption-5-report.png")
        with page.expect_download() as downloading:
            page.locator(".actions").get_by_role("link", name="下载 Word", exact=True).click()
        saved = work / downloading.value.suggested_filename
        downloading.value.save_as(saved)
        print(f"Word report: {saved.name}, {saved.stat().st_size} bytes")

        phone = browser.new_context(base_url=base, viewport={"width": 360, "height": 740}, is_mobile=True,
                                    has_touch=True, device_scale_factor=2)
        mobile = phone.new_page()
        mobile.goto("/auth/login")
        mobile.fill("#username", "wangxl")
        mobile.fill("#password", MEDIATOR_PASSWORD)
        mobile.click("main button.primary")
        page.goto("/help/phone")
        page.screenshot(path=IMAGES / "adoption-6-phone-qr.png", clip={"x": 0, "y": 0, "width": 1280, "height": 560})
        mobile.goto("/")
        mobile.screenshot(path=IMAGES / "adoption-7-mediator-phone.png")
        browser.close()


if __name__ == "__main__":
    main(keep="--keep" in sys.argv)
