"""Several units on one server: libraries apart, accounts and roles, lock-out, the audit trail, and every
page checking who is looking (CLI through CliRunner, pages through AppTest, on real small indexes)."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from click.testing import CliRunner, Result
from streamlit.testing.v1 import AppTest

import app.state
from app.accounts import Accounts, Action, LockedOut, Role, User
from app.accounts.store import FIRST_WAIT, FREE_TRIES
from app.cli import cli
from app.libraries import SHARED, library_names
from tests.browser_support import CHROMEDRIVER, CHROMIUM, headless_chromium, served_app
from tests.conftest import ROOT
from tests.page_support import TIMEOUT, page, run
from tests.test_browser import english_left, find, settled, shot

PASSWORD = "correct-horse-9"
SECRET_A = "组织部内部通知：蝴蝶兰评比定于周五下午在三楼会议室举行。"
SECRET_B = "宣传部内部通知：向日葵摄影展的作品征集截止到月底。"


def _cli(data_dir: Path, *args: str, stdin: str = "") -> Result:
    return CliRunner().invoke(cli, ["--data-dir", str(data_dir), *args], input=stdin)


def _ok(data_dir: Path, *args: str, stdin: str = "") -> str:
    result = _cli(data_dir, *args, stdin=stdin)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A shared server's data dir: libraries 组织部 and 宣传部 with one internal notice each, a shared
    library with one regulation, and four accounts made through the CLI."""
    root = tmp_path_factory.mktemp("server")
    data = root / "data"
    files = root / "files"
    files.mkdir()
    for name, text in (("a.txt", SECRET_A), ("b.txt", SECRET_B)):
        (files / name).write_text(f"第一条 {text}\n", encoding="utf-8")
    (files / "shared.txt").write_text("第一条 党员应当按时交纳党费。\n", encoding="utf-8")
    _ok(data, "ingest", str(files / "shared.txt"))
    for library, file in (("组织部", "a.txt"), ("宣传部", "b.txt")):
        _ok(data, "library", "create", library)
        _ok(data, "ingest", "--library", library, str(files / file))
    twice = f"{PASSWORD}\n{PASSWORD}\n"
    for name, role in (
        ("admin", "管理员"),
        ("staff_a", "党务干部"),
        ("member_a", "党员"),
        ("member_b", "党员"),
    ):
        _ok(data, "user", "add", name, "--role", role, stdin=twice)
    for name, library in (("staff_a", "组织部"), ("member_a", "组织部"), ("member_b", "宣传部")):
        _ok(data, "user", "grant", name, library)
    return data


def test_libraries_are_apart_from_the_command_line(server: Path) -> None:
    assert "三楼会议室" in _ok(server, "search", "--library", "组织部", "蝴蝶兰评比")
    assert "三楼会议室" not in _ok(server, "search", "--library", "宣传部", "蝴蝶兰评比")
    assert "三楼会议室" not in _ok(server, "search", "蝴蝶兰评比")  # nor in the shared library
    listed = _ok(server, "library", "list")
    assert listed.splitlines() == ["公共\t1 个文件", "宣传部\t1 个文件", "组织部\t1 个文件"]
    refused = _cli(server, "library", "create", "../../etc")
    assert refused.exit_code == 2 and "不可用" in refused.output
    assert _cli(server, "search", "--library", "纪委", "蝴蝶兰").exit_code == 2
    assert (
        "给出文件" in _cli(server, "ingest", "--library", "组织部").output
    )  # the corpus is the shared one's


def test_accounts_from_the_command_line(server: Path) -> None:
    listed = _ok(server, "user", "list").splitlines()
    assert "member_a\t党员\t公共、组织部" in listed and "admin\t管理员\t公共" in listed
    assert "已存在" in _cli(server, "user", "add", "admin", stdin=f"{PASSWORD}\n{PASSWORD}\n").output
    assert "至少 8 个字符" in _cli(server, "user", "add", "x", stdin="short\nshort\n").output
    mismatch = _cli(server, "user", "add", "y", stdin=f"{PASSWORD}\nother-pass-99\n").output
    assert "两次输入的密码不一致" in mismatch and "Warning" not in mismatch  # a pipe: no getpass echo warning
    assert "没有名为" in _cli(server, "user", "grant", "member_a", "纪委").output
    trail = _ok(server, "audit", "--limit", "200")
    assert "新建账号\tmember_b\t党员" in trail and "授权\tmember_a\t组织部" in trail
    stored = (server / "accounts" / "accounts.sqlite3").read_bytes()
    assert PASSWORD.encode() not in stored and b"$argon2id$" in stored


def test_wrong_passwords_slow_that_address_not_the_account_and_an_administrator_lifts_it(
    tmp_path: Path,
) -> None:
    accounts = Accounts(tmp_path)
    accounts.add_user("李四", PASSWORD, Role.MEMBER, by="admin")
    assert accounts.login("李四", PASSWORD, "10.0.0.1") == User("李四", Role.MEMBER)
    assert accounts.login("nobody", PASSWORD, "10.0.0.9") is None
    now = time.time()
    for _ in range(FREE_TRIES):
        assert accounts.login("李四", "wrong", "10.0.0.66", now) is None
    with pytest.raises(LockedOut, match=f"连续输错 {FREE_TRIES} 次，请 {FIRST_WAIT:.0f} 秒后再试"):
        accounts.login("李四", PASSWORD, "10.0.0.66", now)  # that address waits, even with the right password
    assert accounts.login("李四", PASSWORD, "10.0.0.1", now) is not None  # the owner elsewhere is not locked out
    assert accounts.login("李四", "wrong", "10.0.0.66", now + FIRST_WAIT + 1) is None
    with pytest.raises(LockedOut, match=f"请 {2 * FIRST_WAIT:.0f} 秒后"):  # each further miss doubles the wait
        accounts.login("李四", PASSWORD, "10.0.0.66", now + FIRST_WAIT + 1)
    for _ in range(FREE_TRIES):  # an unknown name is slowed alike: the answer does not tell it from a real one
        accounts.login("nobody", "wrong", "10.0.0.66", now)
    with pytest.raises(LockedOut):
        accounts.login("nobody", "wrong", "10.0.0.66", now)
    unlocked = CliRunner().invoke(cli, ["--data-dir", str(tmp_path.parent / "x"), "user", "unlock", "李四"])
    assert unlocked.exit_code == 0  # another server's file: nothing to lift, said plainly
    assert accounts.unlock("李四", by="admin") == 1
    assert accounts.login("李四", PASSWORD, "10.0.0.66", now + FIRST_WAIT + 2) is not None
    actions = [e.action for e in accounts.trail()]
    assert Action.UNLOCK in actions and actions.count(Action.LOGIN_FAILED) == 2 * FREE_TRIES + 2


def test_a_login_ticket_is_good_once_for_a_minute_and_retires_the_forms_token(tmp_path: Path) -> None:
    """What the page hands the server's /auth/session (app/accounts/cookie.py) instead of the token."""
    accounts = Accounts(tmp_path)
    accounts.add_user("李四", PASSWORD, Role.MEMBER, by="admin")
    now = time.time()
    token = accounts.open_session("李四", hours=8, now=now)
    ticket = accounts.issue_ticket(token, 60, now)
    assert ticket != token and accounts.redeem_ticket(ticket, now + 1) == "李四"
    assert accounts.session_user(token, now + 1) is None  # the form's token is retired: the cookie's replaces it
    assert accounts.redeem_ticket(ticket, now + 2) is None  # once only
    late = accounts.issue_ticket(accounts.open_session("李四", hours=8, now=now), 60, now)
    assert accounts.redeem_ticket(late, now + 61) is None
    stored = accounts.path.read_bytes()
    assert ticket.encode() not in stored and late.encode() not in stored  # only their hashes are kept


def test_an_unknown_name_takes_as_long_to_refuse_as_a_wrong_password(tmp_path: Path) -> None:
    """The dummy Argon2 check: without it an unknown name is refused a hundred times faster (timing
    tells which names exist). Medians of 5, a loose bound: evals/bench_login.py measures it properly."""
    accounts = Accounts(tmp_path)
    accounts.add_user("李四", PASSWORD, Role.MEMBER, by="admin")

    def median(name: str) -> float:
        times = []
        for n in range(5):
            started = time.perf_counter()
            accounts.login(name, "wrong", f"10.1.0.{n}")
            times.append(time.perf_counter() - started)
        return sorted(times)[2]

    assert median("nobody") > 0.5 * median("李四")


def test_the_audit_trail_cannot_be_rewritten(tmp_path: Path) -> None:
    accounts = Accounts(tmp_path)
    accounts.record("staff", Action.UPLOAD, "a.txt", "组织部")
    with sqlite3.connect(accounts.path) as db:
        for statement in ("UPDATE audit SET user = 'someone else'", "DELETE FROM audit"):
            with pytest.raises(sqlite3.DatabaseError, match="append-only"):
                db.execute(statement)
    assert [(e.user, e.action, e.target) for e in accounts.trail()] == [("staff", "上传", "a.txt")]


def test_roles_decide_who_reads_and_writes_which_library(server: Path) -> None:
    accounts = Accounts(server / "accounts")
    from app.settings import load_settings

    known = library_names(load_settings(data_dir=server))
    admin, staff, member = (
        User("admin", Role.ADMIN),
        User("staff_a", Role.STAFF),
        User("member_a", Role.MEMBER),
    )
    assert all(
        accounts.may_read(admin, name, known) and accounts.may_write(admin, name, known) for name in known
    )
    assert accounts.may_read(member, "组织部", known) and accounts.may_read(member, SHARED, known)
    assert not accounts.may_read(member, "宣传部", known) and not accounts.may_write(member, "组织部", known)
    assert accounts.may_write(staff, "组织部", known) and not accounts.may_write(staff, "宣传部", known)
    assert not accounts.may_write(staff, SHARED, known)  # the shared library only when granted by name


@pytest.fixture
def pages(server: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The app's cached objects pointed at the server, with accounts on."""
    monkeypatch.setenv("DANGJIAN_DATA_DIR", str(server))
    monkeypatch.setenv("DANGJIAN_ACCOUNTS", "true")
    monkeypatch.delenv("DANGJIAN_CHROMA_URL", raising=False)
    app.state.services.clear()
    yield server
    app.state.services.clear()


def _as(at: AppTest, name: str, library: str = SHARED) -> AppTest:
    """The page as `name` sees it after logging in (a real session token of the server's accounts)."""
    store = app.state.accounts()
    assert store is not None
    at.session_state[app.state.TOKEN] = store.open_session(name, hours=8)
    at.session_state[app.state.LIBRARY] = library
    return at


def _shown(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [str(e.value) for e in (*at.info, *at.warning, *at.error)]
    parts += [str(c.value) for c in at.code] + [str(t.value) for t in at.text]
    return "\n".join(parts)


def _web(name: str, **query: str) -> AppTest:
    """The whole app (its navigation and library picker) as `name`, opened at an address with `query`."""
    at = _as(AppTest.from_file(str(ROOT / "app" / "web.py"), default_timeout=TIMEOUT), name)
    for key, value in query.items():
        at.query_params[key] = value
    return run(at)


def test_the_library_in_the_address_opens_when_readable_and_is_said_when_not(pages: Path) -> None:
    """?lib= (kept in the address through refreshes, carried by every citation link): a fresh session
    opening it reads that library when granted; otherwise one line says so and 公共 is shown."""
    from app import library_view as lv

    opened = _web("member_a", lib="组织部")
    assert opened.session_state[app.state.LIBRARY] == "组织部" and not opened.warning
    refused = _web("member_a", lib="宣传部")
    assert refused.session_state[app.state.LIBRARY] == SHARED
    assert [w.value for w in refused.warning][:1] == [
        "链接里的知识库“宣传部”不存在，或你没有阅读它的权限；现在显示的是“公共”库。"
    ]
    picked = _web("member_a")
    picked.sidebar.selectbox(key=app.state.LIBRARY).set_value("组织部")
    run(picked)
    assert picked.query_params[lv.LIBRARY_PARAM] == "组织部"  # what a refresh reopens
    passage = app.state.library_services("组织部").library().document_passages("files/a.txt")[0].passage
    assert "lib=%E7%BB%84%E7%BB%87%E9%83%A8" in lv.source_link(passage, "组织部")
    assert "lib=" not in lv.source_link(passage, SHARED)


def test_nobody_logged_in_sees_no_answer_and_no_document(pages: Path) -> None:
    for at in (page("ask", q="蝴蝶兰评比在哪里举行？"), page("library", doc="files/a.txt"), page("ledger")):
        shown = _shown(run(at))
        assert "请先登录" in shown and "三楼会议室" not in shown and not at.chat_message
    web = run(AppTest.from_file(str(ROOT / "app" / "web.py"), default_timeout=TIMEOUT))
    assert [t.value for t in web.title] == ["登录"] and "三楼会议室" not in _shown(web)


def test_login_form_logs_in_and_a_wrong_password_says_so(pages: Path) -> None:
    web = run(AppTest.from_file(str(ROOT / "app" / "web.py"), default_timeout=TIMEOUT))
    web.text_input(key="login.name").set_value("member_a")
    web.text_input(key="login.password").set_value("wrong")
    web.button[0].click()
    run(web)
    assert "账号或密码不对" in _shown(web) and app.state.TOKEN not in web.session_state
    web.text_input(key="login.password").set_value(PASSWORD)
    web.button[0].click()
    run(web)
    assert Accounts(pages / "accounts").session_user(web.session_state[app.state.TOKEN]).name == "member_a"
    assert web.sidebar.selectbox(key=app.state.LIBRARY).options == [SHARED, "组织部"]


def test_a_member_reads_their_library_and_nothing_of_another(pages: Path) -> None:
    mine = run(_as(page("ask", q="蝴蝶兰评比在哪里举行？"), "member_a", "组织部"))
    assert "三楼会议室" in _shown(mine) or any("三楼会议室" in m.value for m in mine.markdown)
    other = run(_as(page("ask", q="向日葵摄影展征集什么时候截止？"), "member_a", "宣传部"))  # not granted
    assert "月底" not in "\n".join(m.value for m in other.chat_message[-1].markdown)
    view = run(_as(page("library", doc="files/b.txt"), "member_a", "宣传部"))
    assert "向日葵" not in _shown(view) and "月底" not in _shown(view)
    assert not view.get("file_uploader") and not [b for b in view.button if b.label == "删除"]
    feedback = run(_as(page("feedback"), "member_a"))
    assert "只有管理员" in _shown(feedback)


def test_an_expired_or_closed_login_asks_again(pages: Path) -> None:
    store = Accounts(pages / "accounts")
    expired = store.open_session("member_a", hours=8, now=time.time() - 9 * 3600)
    closed = store.open_session("member_a", hours=8)
    store.close_session(closed)
    for token in (expired, closed, "forged-token"):
        at = page("ask", q="蝴蝶兰评比在哪里举行？")
        at.session_state[app.state.TOKEN] = token
        assert "请先登录" in _shown(run(at)) and not at.chat_message
    assert store.session_user(store.open_session("member_a", hours=8)) == User("member_a", Role.MEMBER)
    assert expired.encode() not in store.path.read_bytes()  # only a hash of a token is kept


def test_a_staff_upload_and_delete_are_in_the_audit_trail(pages: Path) -> None:
    from app import library_view as lv

    at = run(_as(page("library"), "staff_a", "组织部"))
    at.file_uploader[0].set_value(("c.txt", "第一条 临时通知。\n".encode(), "text/plain"))
    run(at)
    at.button(key=lv.IMPORT).click()
    run(at)
    services = app.state.library_services("组织部")
    doc_id = next(d.id for d in services.documents() if d.meta.title == "c")
    uploaded = Accounts(pages / "accounts").trail(1)[0]
    assert (uploaded.user, uploaded.action, uploaded.target, uploaded.detail) == (
        "staff_a",
        "上传",
        "c.txt",
        "组织部",
    )
    at.selectbox(key=lv.DELETE_CHOICE).set_value(doc_id)
    run(at)
    at.checkbox(key=lv.DELETE_CONFIRM).check()
    run(at)
    at.button(key=lv.DELETE_BUTTON).click()
    run(at)
    assert doc_id not in {d.id for d in services.documents()}
    entry = Accounts(pages / "accounts").trail(1)[0]
    assert (entry.user, entry.action, entry.target, entry.detail) == ("staff_a", "删除", doc_id, "组织部")
    assert time.time() - entry.at < 120
    audit = run(_as(page("audit"), "admin"))
    assert "staff_a" in audit.dataframe[0].value["账号"].tolist()
    assert [s.value for s in audit.success] == [Accounts(pages / "accounts").verify_trail().line]
    assert "审计记录完整" in audit.success[0].value and not audit.error


def _type(driver: Any, css: str, *keys: str) -> None:
    """Type into the field once the page lets it be typed into (Streamlit may still be redrawing it)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait

    def typed(d: Any) -> bool:
        try:
            d.find_element("css selector", css).send_keys(*keys)
        except WebDriverException:
            return False
        return True

    WebDriverWait(driver, 30).until(typed)


@pytest.mark.browser
@pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER), reason="chromium/chromedriver missing: scripts/install.sh --dev"
)
def test_in_a_real_browser_a_link_shows_nothing_until_login_and_then_only_granted_libraries(
    server: Path, tmp_path: Path
) -> None:
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    from app.accounts.cookie import COOKIE

    ticket_of_nobody = "not-a-ticket"
    with served_app(server, accounts="true") as url, headless_chromium(tmp_path / "profile") as driver:
        driver.get(f"{url}/?q={quote('蝴蝶兰评比在哪里举行？')}")
        text = settled(driver, "没有账号或忘了密码")
        assert "登录" in text and "三楼会议室" not in text and "问答" not in text
        driver.get(f"{url}/library?doc=files/a.txt")
        assert "三楼会议室" not in settled(driver, "没有账号或忘了密码")
        assert not english_left(driver) and driver.execute_script("return document.documentElement.lang") == "zh-CN"
        _type(driver, 'input[aria-label="账号"]', "member_a")
        _type(driver, 'input[aria-label="密码"]', PASSWORD, Keys.ENTER)
        cookie = WebDriverWait(driver, 30).until(lambda d: d.get_cookie(COOKIE))  # set by the server's route
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict" and not cookie["secure"]  # plain http here
        assert cookie["value"] not in driver.execute_script("return document.cookie")  # no script can read it
        assert "/library?doc=files/a.txt" in driver.current_url  # back on the page the login was asked on
        settled(driver, "member_a（党员）")
        find(driver, "css selector", '[data-testid="stSidebar"] [data-testid="stSelectbox"]').click()
        options = find(driver, "css selector", '[role="option"]')
        names = [o.text for o in driver.find_elements("css selector", '[role="option"]')]
        assert names == [SHARED, "组织部"], names  # 宣传部 is not offered
        next(o for o in driver.find_elements("css selector", '[role="option"]') if o.text == "组织部").click()
        assert options
        assert "三楼会议室" in settled(driver, "三楼会议室")  # the link's document, now that it may be read
        find(driver, "css selector", '[data-testid="stSidebarNav"] a[href$="/ask"]').click()
        box = find(driver, "css selector", '[data-testid="stChatInputTextArea"]')
        box.send_keys("蝴蝶兰评比在哪里举行？", Keys.ENTER)
        assert "三楼会议室" in settled(driver, "三楼会议室")
        shot(driver, "accounts-member-answer")
        driver.refresh()  # the browser keeps the login: a reload is no new login
        assert "member_a（党员）" in settled(driver, "member_a（党员）")
        find(driver, "xpath", "//button[.//p[text()='退出登录']]").click()
        WebDriverWait(driver, 30).until(lambda d: d.get_cookie(COOKIE) is None)  # cleared by the server
        assert Accounts(server / "accounts").session_user(cookie["value"]) is None
        driver.refresh()  # and forgets it on logging out
        assert "member_a" not in settled(driver, "没有账号或忘了密码")
        driver.get(f"{url}/auth/session?ticket={ticket_of_nobody}&next=https://elsewhere.example/")
        assert driver.current_url.startswith(url) and driver.get_cookie(COOKIE) is None  # no cookie, no leaving


def test_several_libraries_answer_as_one_and_cite_which_library(server: Path) -> None:
    from app.drafting.composer import compose_answer
    from app.libraries import SeveralLibraries, library_settings
    from app.services import build_services
    from app.settings import load_settings

    settings = load_settings(data_dir=server)
    both = SeveralLibraries(
        {name: build_services(library_settings(settings, name)).library() for name in ("组织部", "宣传部")}
    )
    assert {d.id for d in both.documents()} == {"组织部::files/a.txt", "宣传部::files/b.txt"}
    hits = both.search("向日葵摄影展征集截止", 4)
    assert hits[0].passage.doc_id == "宣传部::files/b.txt"
    assert both.document_passages("组织部::files/a.txt")[0].passage.text.endswith("三楼会议室举行。")
    assert len(both.meaning("蝴蝶兰", hits)) == len(hits)
    answer = compose_answer("蝴蝶兰评比在哪里举行？", both)
    assert answer.supported and "三楼会议室" in answer.text
    assert answer.citations[0].hit.passage.doc_id == "组织部::files/a.txt"


def test_the_ask_page_searches_the_picked_libraries_the_user_may_read(pages: Path) -> None:
    admin = _as(page("ask", q="向日葵摄影展征集什么时候截止？"), "admin", "组织部")
    admin.session_state["ask.also"] = ["宣传部"]
    run(admin)
    answer = admin.chat_message[-1]
    assert "月底" in "\n".join(m.value for m in answer.markdown)
    assert any("知识库：宣传部" in c.value for c in answer.caption)
    member = _as(page("ask", q="向日葵摄影展征集什么时候截止？"), "member_a", "组织部")
    member.session_state["ask.also"] = ["宣传部"]  # not granted: ignored
    run(member)
    assert "月底" not in "\n".join(m.value for m in member.chat_message[-1].markdown)
    assert member.multiselect(key="ask.also").options == [SHARED]


def test_a_citation_of_another_library_opens_it_when_the_user_may_read_it(pages: Path) -> None:
    for name, expected in (("admin", "宣传部"), ("member_a", "组织部")):
        web = _as(AppTest.from_file(str(ROOT / "app" / "web.py"), default_timeout=TIMEOUT), name, "组织部")
        web.query_params["doc"] = "宣传部::files/b.txt"
        run(web)
        assert web.session_state[app.state.LIBRARY] == expected


def test_a_server_without_accounts_yet_says_how_to_make_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DANGJIAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DANGJIAN_ACCOUNTS", "true")
    app.state.services.clear()
    try:
        at = run(page("login"))
        assert any("dangjian user add" in i.value for i in at.info)
    finally:
        app.state.services.clear()



def test_each_account_keeps_its_own_conversations(pages: Path) -> None:
    from app.history import History

    mine = run(_as(page("ask"), "member_a", "组织部"))
    mine.chat_input(key="ask.input").set_value("蝴蝶兰评比在哪里举行？")
    run(mine)
    kept = History(pages)
    assert [c.questions for c in kept.conversations("member_a")][:1] == [("蝴蝶兰评比在哪里举行？",)]
    assert not kept.conversations("member_b")
    other = run(_as(page("ask"), "member_b"))
    assert not [b for b in other.sidebar.button if b.key and b.key.startswith("ask.reopen.")]
