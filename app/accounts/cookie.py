"""The login cookie, set and cleared by the server (app/server.py's routes), never by page scripts.

After the login form has checked a password, the page sends the browser to /auth/session with a
one-time ticket (valid TICKET_SECONDS); the route exchanges it for a fresh session token, which it sets
as an HttpOnly, SameSite=Strict cookie (Secure behind HTTPS), and sends the browser back to the page
it came from. /auth/logout clears the cookie. The ticket, not the token, is what passes through the
address bar, and only once.
"""

from __future__ import annotations

from urllib.parse import urlparse

from starlette.requests import Request
from starlette.responses import RedirectResponse

from app.accounts.store import Accounts
from app.settings import load_settings

COOKIE = "dangjian_session"  # the browser's copy of the login's token
TICKET_SECONDS = 60.0


def _accounts() -> Accounts:
    return Accounts(load_settings().data_dir / "accounts")


def _back_to(request: Request) -> str:
    """Where to go after: a path on this site only (never another site's address)."""
    target = urlparse(request.query_params.get("next", "/"))
    return (target.path or "/") + (f"?{target.query}" if target.query else "") if not target.netloc else "/"


def _https(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "") == "https"


def start_session(request: Request) -> RedirectResponse:
    """Redeem a login ticket for the session cookie."""
    response = RedirectResponse(_back_to(request), status_code=303)
    accounts = _accounts()
    name = accounts.redeem_ticket(request.query_params.get("ticket", ""))
    if name is None:
        return response  # expired or used: the page asks for the password again
    hours = load_settings().session_hours
    response.set_cookie(
        COOKIE,
        accounts.open_session(name, hours),
        max_age=int(hours * 3600),
        path="/",
        httponly=True,
        samesite="strict",
        secure=_https(request),
    )
    return response


def end_session(request: Request) -> RedirectResponse:
    """Close the session the cookie names and clear the cookie."""
    token = request.cookies.get(COOKIE, "")
    if token:
        _accounts().close_session(token)
    response = RedirectResponse(_back_to(request), status_code=303)
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict", secure=_https(request))
    return response
