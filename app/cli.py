"""The `dangjian` command: a thin click group; commands parse options and call services.

The contract (DESIGN.md) is what scripts and benchmarks rely on: `ingest`,
`search` (human, --json, --batch JSON lines), `ask` (human, --json), `serve`.
"""

from __future__ import annotations

import functools
import getpass
import json
import os
import socket
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from app import cli_text
from app.accounts import Accounts, Role
from app.drafting.question import search_as_asked
from app.libraries import SHARED, create_library, library_names, library_settings
from app.private import exposure_warning, make_private
from app.services import Services, build_services
from app.settings import load_settings
from index.updater import out_of_space
from ingest.errors import DangjianError
from ingest.models import Hit

if TYPE_CHECKING:
    from app.drafting.composer import Answer

cli_text.install()
F = TypeVar("F", bound=Callable[..., Any])
CONTEXT = {"help_option_names": ["-h", "--help"]}
OPTIONS = "[选项]"  # how usage lines name the options (click would say [OPTIONS])
SETTINGS = "dangjian.settings"  # ctx.meta key: the settings every command runs with
LIBRARY = "dangjian.library"  # ctx.meta key: the library a command names with --library


def user_errors(func: F) -> F:
    """Turn the user-facing error vocabulary into one line on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DangjianError as exc:
            click.echo(f"错误：{exc}", err=True)
            sys.exit(2)
        except Exception as exc:
            data_dir = click.get_current_context().meta[SETTINGS].data_dir
            if not out_of_space(exc, data_dir):
                raise
            click.echo(
                f"错误：磁盘已满（{data_dir}），索引暂时无法读写；腾出空间后再试，已导入的内容不会丢失。",
                err=True,
            )
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings=CONTEXT, options_metavar=OPTIONS, subcommand_metavar="命令 [参数]...")
@click.option(
    "--data-dir",
    envvar="DANGJIAN_DATA_DIR",
    type=click.Path(path_type=Path),
    default=None,
    help="索引所在目录（默认 ./data）。",
)
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None) -> None:
    """dangjian：党建政策文件本地知识助手（离线检索、带出处的回答）。"""
    make_private()
    overrides = {"data_dir": data_dir} if data_dir else {}
    ctx.meta[SETTINGS] = settings = load_settings(**overrides)
    ctx.obj = functools.partial(build_services, settings)


def _services(ctx: click.Context) -> Services:
    """The services of the library the command names (`--library`), else of the shared one."""
    name = ctx.meta.get(LIBRARY)
    if name:
        return build_services(library_settings(ctx.meta[SETTINGS], name))
    return ctx.obj()  # type: ignore[no-any-return]


def in_library(func: F) -> F:
    """The `--library` option: the command works in that library (a data dir under the main one)."""

    @click.option("--library", default=None, metavar="知识库", help=f"在这个知识库里（默认：{SHARED}库）。")
    @functools.wraps(func)
    def wrapper(*args: Any, library: str | None = None, **kwargs: Any) -> Any:
        if library:
            click.get_current_context().meta[LIBRARY] = library
        return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


@cli.command(context_settings=CONTEXT, options_metavar=OPTIONS)
@in_library
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[路径]...")
@click.option("--prune", is_flag=True, help="删除源文件已不存在的文档。")
@click.pass_context
@user_errors
def ingest(ctx: click.Context, paths: tuple[Path, ...], prune: bool) -> None:
    """导入文件或文件夹（默认：自带语料 corpus/）。"""
    from tqdm import tqdm

    if not paths and ctx.meta.get(LIBRARY, SHARED) != SHARED:
        raise DangjianError("自带语料属于公共库；导入到其他知识库时请给出文件或文件夹。")
    _warn_if_exposed(ctx)
    services = _services(ctx)
    bar: dict[str, tqdm] = {}

    def started(total: int) -> None:
        bar["bar"] = tqdm(total=total, unit="个文件", desc="导入", file=sys.stderr, dynamic_ncols=True)

    def advanced(_: object) -> None:
        bar["bar"].update(1)

    def encoded(done: int, total: int) -> None:
        if "meaning" not in bar:
            bar["bar"].close()
            bar["meaning"] = tqdm(
                total=total, unit="段", desc="语义向量", file=sys.stderr, dynamic_ncols=True
            )
        bar["meaning"].update(done - bar["meaning"].n)

    report = services.ingest(
        paths or None,
        prune=prune,
        progress=advanced,
        on_discovered=started,
        semantic_progress=encoded,
        on_wait=lambda line: click.echo(line, err=True),
    )
    for shown in bar.values():
        shown.close()
    if services.semantic_note:
        click.echo(f"提示：{services.semantic_note}", err=True)
    for path, reason in report.rejected:
        click.echo(f"跳过 {path}：{reason}", err=True)
    for doc_id, items in report.checklist_items.items():
        click.echo(f"{doc_id}：识别出问题清单 {items} 条")
    click.echo(
        f"完成：新增或更新 {len(report.ingested)} 个文档（{report.passages} 个段落），"
        f"未变化 {len(report.unchanged)} 个，删除 {len(report.removed)} 个，"
        f"跳过 {len(report.rejected)} 个，用时 {report.seconds:.1f} 秒。"
    )
    if report.rejected and not (report.ingested or report.unchanged):
        sys.exit(1)


def hit_json(rank: int, hit: Hit) -> dict[str, Any]:
    """One result in the batch/JSON contract of DESIGN.md."""
    p = hit.passage
    return {
        "rank": rank,
        "score": hit.score,
        "doc_id": p.doc_id,
        "title": hit.meta.title,
        "section": p.section_path,
        "text": p.text,
        "item": p.item.number if p.item else None,
        "start": p.start,
        "end": p.end,
    }


def _print_human(query: str, hits: list[Hit]) -> None:
    click.echo(f"问题：{query}")
    if not hits:
        click.echo("没有找到相关段落。")
    for rank, hit in enumerate(hits, start=1):
        p = hit.passage
        item = f"【清单{p.item.label}】" if p.item else ""
        click.echo(f"\n[{rank}] {hit.citation_head()} {p.section_path}  相关度 {hit.score:.2f}")
        click.echo(f"    {item}{p.text}")


@cli.command(context_settings=CONTEXT, options_metavar=OPTIONS)
@in_library
@click.argument("query", required=False, metavar="[问题]")
@click.option("--k", "k", default=10, show_default=True, metavar="个数", help="返回的段落数。")
@click.option("--json", "as_json", is_flag=True, help="输出一个 JSON 对象。")
@click.option(
    "--batch",
    type=click.File("r", encoding="utf-8"),
    metavar="文件",
    help="每行一个问题的文件；逐行输出 JSON。",
)
@click.pass_context
@user_errors
def search(ctx: click.Context, query: str | None, k: int, as_json: bool, batch: Any) -> None:
    """检索与问题最相关的段落。"""
    if not query and batch is None:
        raise click.UsageError("请给出问题，或用 --batch 指定问题文件。")
    library = _services(ctx).library()
    if batch is not None:
        for line in batch:
            q = line.strip()
            if q:
                results = [hit_json(r, h) for r, h in enumerate(search_as_asked(library, q, k), start=1)]
                click.echo(json.dumps({"query": q, "results": results}, ensure_ascii=False))
        return
    assert query is not None
    hits = search_as_asked(library, query, k)
    if as_json:
        results = [hit_json(r, h) for r, h in enumerate(hits, start=1)]
        click.echo(json.dumps({"query": query, "results": results}, ensure_ascii=False))
    else:
        _print_human(query, hits)


def _print_passage(n: int, hit: Hit) -> None:
    p = hit.passage
    number = f" {hit.meta.doc_number}" if hit.meta.doc_number else ""
    click.echo(f"\n[{n}] {hit.citation_head()}{number} {p.section_path}")
    click.echo(f"    {p.text}")


def answer_json(answer: Answer) -> dict[str, Any]:
    """One answer in the `ask --json` contract of DESIGN.md, with any notice (e.g. the LLM was unavailable),
    the kind of answer the question was taken to ask for and the learned answerability score."""
    fields = ("doc_id", "title", "section", "text", "start", "end")
    citations = [
        {"n": c.n} | {f: v for f, v in hit_json(c.n, c.hit).items() if f in fields} for c in answer.citations
    ]
    return {
        "query": answer.query,
        "answer": answer.text,
        "supported": answer.supported,
        "items": [item.number for item in answer.items],
        "citations": citations,
        "notice": answer.notice,
        "kind": answer.verdict.kind,
        "answerability": answer.verdict.answerability,
    }


@cli.command(context_settings=CONTEXT, options_metavar=OPTIONS)
@in_library
@click.argument("query", required=False, metavar="[问题]")
@click.option("--json", "as_json", is_flag=True, help="输出一个 JSON 对象。")
@click.option(
    "--batch",
    type=click.File("r", encoding="utf-8"),
    metavar="文件",
    help="每行一个问题的文件；逐行输出 JSON。",
)
@click.pass_context
@user_errors
def ask(ctx: click.Context, query: str | None, as_json: bool, batch: Any) -> None:
    """回答问题：摘录文件原文，每句注明出处；文件中没有答案时如实说明。"""
    from app.drafting.composer import compose_answer

    if not query and batch is None:
        raise click.UsageError("请给出问题，或用 --batch 指定问题文件。")
    services = _services(ctx)
    if batch is not None:
        for line in batch:
            if line.strip():
                answer = compose_answer(line.strip(), services.library(), services.llm())
                click.echo(json.dumps(answer_json(answer), ensure_ascii=False))
        return
    assert query is not None
    answer = compose_answer(query, services.library(), services.llm())
    if as_json:
        click.echo(json.dumps(answer_json(answer), ensure_ascii=False))
        return
    if answer.notice:
        click.echo(answer.notice)
    click.echo(answer.text)
    if not answer.citations and answer.nearest:
        click.echo("\n最接近的段落：")
    for n, hit in answer.shown():
        _print_passage(n, hit)


@cli.command(context_settings=CONTEXT, options_metavar=OPTIONS)
@in_library
@click.argument("theme", metavar="主题")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="输出的 Word 文件（.docx）。",
)
@click.pass_context
@user_errors
def lecture(ctx: click.Context, theme: str, out: Path) -> None:
    """按主题起草党课提纲（学习依据、上级部署、对照查摆、整改措施、身边案例），每条注明出处，导出 Word。"""
    from app.drafting.lecture import build_outline
    from app.export.word import lecture_docx

    services = _services(ctx)
    outline = build_outline(theme, services.library(), services.llm())
    if outline.notice:
        click.echo(outline.notice, err=True)
    out.write_bytes(lecture_docx(outline))
    click.echo(f"已写入 {out}：{len(outline.points)} 条要点，{len(outline.sources)} 处出处。")


@cli.command(context_settings=CONTEXT, options_metavar=OPTIONS)
@in_library
@click.argument("problems", type=click.File("r", encoding="utf-8"), metavar="问题文件")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="输出文件：.xlsx（Excel 台账）或 .docx（Word 表格）。",
)
@click.option("--unit", default="", metavar="单位", help="责任单位。")
@click.option("--deadline", default=None, metavar="日期", help="整改时限（默认 2026-06-30）。")
@click.pass_context
@user_errors
def ledger(ctx: click.Context, problems: Any, out: Path, unit: str, deadline: str | None) -> None:
    """起草整改台账：问题文件每行一个问题，对照问题清单、摘录整改措施并注明出处。"""
    from app.drafting.ledger import DEFAULT_DEADLINE, NO_MATCH, build_ledger, read_problems
    from app.export.excel import ledger_xlsx
    from app.export.word import ledger_docx

    if out.suffix.lower() not in (".xlsx", ".docx"):
        raise click.BadParameter("只支持 .xlsx 或 .docx。", param_hint="--out")
    lines = read_problems(problems.read())
    if not lines:
        raise click.UsageError("问题文件是空的：请每行写一个问题。")
    services = _services(ctx)
    draft = build_ledger(
        lines, services.library(), services.llm(), unit=unit, deadline=deadline or DEFAULT_DEADLINE
    )
    if draft.notice:
        click.echo(draft.notice, err=True)
    out.write_bytes(ledger_xlsx(draft) if out.suffix.lower() == ".xlsx" else ledger_docx(draft))
    unmatched = sum(row.item_label == NO_MATCH for row in draft.rows)
    click.echo(f"已写入 {out}：{len(draft.rows)} 个问题，{unmatched} 个未找到对应清单条目（需人工填写）。")


@cli.group(context_settings=CONTEXT, options_metavar=OPTIONS, subcommand_metavar="命令 [参数]...")
def library() -> None:
    """知识库：新建、列出（每个知识库有自己的文件、索引和上传目录）。"""


@library.command("create", context_settings=CONTEXT, options_metavar=OPTIONS)
@click.argument("name", metavar="名称")
@click.pass_context
@user_errors
def library_create(ctx: click.Context, name: str) -> None:
    """新建一个空的知识库，之后用 `dangjian ingest --library 名称 文件...` 导入。"""
    folder = create_library(ctx.meta[SETTINGS], name)
    click.echo(f"已新建知识库“{name}”（{folder}）。")


@library.command("list", context_settings=CONTEXT, options_metavar=OPTIONS)
@click.pass_context
@user_errors
def library_list(ctx: click.Context) -> None:
    """列出知识库和各自的文件数。"""
    for name in library_names(ctx.meta[SETTINGS]):
        services = build_services(library_settings(ctx.meta[SETTINGS], name))
        click.echo(f"{name}\t{len(services.documents())} 个文件")


def _accounts(ctx: click.Context) -> Accounts:
    return Accounts(ctx.meta[SETTINGS].data_dir / "accounts")


def _operator() -> str:
    """Who the audit trail names for a command: the machine's user at the command line."""
    return f"命令行:{getpass.getuser()}"


def _new_password() -> str:
    """Typed twice, unseen, at a terminal; read as two lines from a pipe (a script), where Python's
    getpass would print an English warning that the input may be echoed."""
    if sys.stdin.isatty():
        return str(click.prompt("密码", hide_input=True, confirmation_prompt="再输一遍密码"))
    first, again = sys.stdin.readline().rstrip("\n"), sys.stdin.readline().rstrip("\n")
    if first != again:
        raise DangjianError("两次输入的密码不一致。")
    return first


@cli.group(context_settings=CONTEXT, options_metavar=OPTIONS, subcommand_metavar="命令 [参数]...")
def user() -> None:
    """网页账号（设 DANGJIAN_ACCOUNTS=true 后网页要求登录）：新建、重设密码、授权知识库、列出。"""


@user.command("add", context_settings=CONTEXT, options_metavar=OPTIONS)
@click.argument("name", metavar="账号")
@click.option(
    "--role",
    type=click.Choice([r.value for r in Role]),
    default=Role.MEMBER.value,
    show_default=True,
    help="管理员：账号、知识库和授权；党务干部：在授权的知识库上传和删除；党员：提问和阅读。",
)
@click.pass_context
@user_errors
def user_add(ctx: click.Context, name: str, role: str) -> None:
    """新建账号（密码从键盘输入两遍）。"""
    _accounts(ctx).add_user(name, _new_password(), Role(role), _operator())
    click.echo(f"已新建账号“{name}”（{role}）。")


@user.command("passwd", context_settings=CONTEXT, options_metavar=OPTIONS)
@click.argument("name", metavar="账号")
@click.pass_context
@user_errors
def user_passwd(ctx: click.Context, name: str) -> None:
    """重设密码（同时解除因输错密码造成的等待）。"""
    _accounts(ctx).set_password(name, _new_password(), _operator())
    click.echo(f"已重设“{name}”的密码。")


@user.command("unlock", context_settings=CONTEXT, options_metavar=OPTIONS)
@click.argument("name", metavar="账号")
@click.pass_context
@user_errors
def user_unlock(ctx: click.Context, name: str) -> None:
    """解除因输错密码造成的等待（所有电脑）。"""
    lifted = _accounts(ctx).unlock(name, _operator())
    click.echo(f"已解除“{name}”在 {lifted} 台电脑上的等待。" if lifted else f"“{name}”没有需要解除的等待。")


@user.command("grant", context_settings=CONTEXT, options_metavar=OPTIONS)
@click.argument("name", metavar="账号")
@click.argument("library", metavar="知识库")
@click.option("--revoke", is_flag=True, help="取消授权。")
@click.pass_context
@user_errors
def user_grant(ctx: click.Context, name: str, library: str, revoke: bool) -> None:
    """授权账号阅读（党务干部还可上传、删除）一个知识库，或用 --revoke 取消。"""
    library_settings(ctx.meta[SETTINGS], library)  # an unknown library is an error, not a silent grant
    accounts = _accounts(ctx)
    if revoke:
        accounts.revoke(name, library, _operator())
        click.echo(f"已取消“{name}”对知识库“{library}”的授权。")
    else:
        accounts.grant(name, library, _operator())
        click.echo(f"已授权“{name}”使用知识库“{library}”。")


@user.command("list", context_settings=CONTEXT, options_metavar=OPTIONS)
@click.pass_context
@user_errors
def user_list(ctx: click.Context) -> None:
    """列出账号、角色和授权的知识库。"""
    accounts = _accounts(ctx)
    for account in accounts.users():
        click.echo(f"{account.name}\t{account.role}\t{'、'.join(accounts.granted(account.name))}")


@cli.command(context_settings=CONTEXT, options_metavar=OPTIONS)
@click.option(
    "--repair", is_flag=True, help="修复：清掉残留段落、移除不完整的文件并从原文件重新导入、重建关键词索引。"
)
@in_library
@click.pass_context
@user_errors
def check(ctx: click.Context, repair: bool) -> None:
    """检查知识库是否完整（段落都有文件登记和向量、关键词索引与段落库一致）；有问题时退出码为 1。"""
    report = _services(ctx).check(repair, on_wait=lambda line: click.echo(line, err=True))
    for line in report.problems:
        click.echo(line)
    if not report.problems:
        click.echo("知识库完整，没有发现问题。")
        return
    if not repair:
        click.echo("可运行 dangjian check --repair 修复。")
        sys.exit(1)
    for path in report.reread:
        click.echo(f"已从原文件重新导入：{path}")
    for path in report.gone:
        click.echo(f"原文件已不在，未能重新导入：{path}（请重新上传）")
    click.echo("已修复。")


@cli.command(context_settings=CONTEXT, options_metavar=OPTIONS)
@click.option("--limit", default=50, show_default=True, metavar="条数", help="显示最近多少条。")
@click.option(
    "--verify", is_flag=True, help="逐条校验记录链，报告第一处断点、缺失的触发器或缺号；有问题时退出码为 1。"
)
@click.option("--restore-triggers", is_flag=True, help="重建缺失的保护触发器（会记入操作记录）。")
@click.pass_context
@user_errors
def audit(ctx: click.Context, limit: int, verify: bool, restore_triggers: bool) -> None:
    """操作记录：登录、上传、删除、授权（最新的在前）。"""
    accounts = _accounts(ctx)
    if restore_triggers:
        restored = accounts.restore_trail_protection(_operator())
        click.echo(f"已重建触发器：{'、'.join(restored)}。" if restored else "保护触发器都在，无需重建。")
        return
    if verify:
        verdict = accounts.verify_trail()
        click.echo(verdict.line, err=not verdict.intact)
        sys.exit(0 if verdict.intact else 1)
    for entry in accounts.trail(limit):
        when = datetime.fromtimestamp(entry.at).strftime("%Y-%m-%d %H:%M:%S")
        click.echo(f"{when}\t{entry.user}\t{entry.action}\t{entry.target}\t{entry.detail}")


@cli.command(context_settings=CONTEXT, options_metavar=OPTIONS)
@click.option("--host", default="127.0.0.1", show_default=True, metavar="地址", help="监听地址。")
@click.option("--port", default=8501, show_default=True, metavar="端口", help="端口。")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int) -> None:
    """启动网页（Streamlit），在浏览器打开 http://地址:端口 。"""
    page = Path(__file__).with_name("server.py")  # the pages (web.py) and the login routes
    if not port_free(host, port):
        click.echo(
            f"错误：端口 {port} 已被占用（可能已有一个网页在运行）。请关闭它，或用 --port 换一个端口。",
            err=True,
        )
        sys.exit(1)
    _warn_if_exposed(ctx)
    click.echo(f"网页地址：http://{host}:{port}")
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(page),
        "--server.address",
        host,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--client.toolbarMode",
        "minimal",  # no Deploy button or English developer menu
        "--client.showErrorDetails",
        "type",  # an error shows its kind, not an English traceback
    ]
    sys.stdout.flush()
    os.execv(sys.executable, command)  # the server is this process: stopping `serve` stops it


def _warn_if_exposed(ctx: click.Context) -> None:
    line = exposure_warning(ctx.meta[SETTINGS].data_dir)
    if line:
        click.echo(line, err=True)


def port_free(host: str, port: int) -> bool:
    """Whether the address can be listened on now (Streamlit would otherwise log in English and exit).
    Like Streamlit, the probe reuses an address whose last connections are still closing (TIME_WAIT
    after a server was stopped): only a live listener makes the port busy."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


INTERRUPTED = "已中断。再次运行同一条命令即可从中断处继续，已导入的内容不会丢失。"


def main() -> None:
    """The `dangjian` entry point; Ctrl-C says in Chinese that a rerun resumes (click would say "Aborted!")."""
    try:
        cli(prog_name="dangjian", standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo(f"\n{INTERRUPTED}", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
