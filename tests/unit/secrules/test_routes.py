"""Sensitive HTTP routes with no authentication in sight are found; authenticated, read-only
and authentication-step routes are not."""

from __future__ import annotations

import pytest

from aces.engines.exposure.routeauth import RepoAuth
from aces.engines.exposure.routes import RULE, file_auth, scan_routes

# Every snippet is a module of a web application: it imports its framework first.
PRELUDE = "from web_app import fastapi, flask, aiohttp, starlette\n"

# (code, line of the finding, counted without the prelude)
SHOULD_FLAG: tuple[tuple[str, int], ...] = (
    ('@app.post("/ingest")\nasync def ingest(db=Depends(get_db)):\n    pass\n', 1),
    ('@app.get("/admin/stats")\ndef stats():\n    return {}\n', 1),
    ('@router.delete("/rooms/{rid}")\nasync def drop(rid: str):\n    pass\n', 1),
    ('@app.api_route("/sync", methods=["GET", "POST"])\ndef sync():\n    pass\n', 1),
    ('@bp.route("/events", methods=["POST"])\ndef push():\n    pass\n', 1),
    ('@app.route("/debug/state")\ndef state():\n    pass\n', 1),
    ('@routes.post("/reset")\nasync def reset(request):\n    pass\n', 1),
    ('async def purge(request):\n    pass\n\napp.router.add_post("/purge", purge)\n', 4),
    ('app.add_routes([web.put("/config", put_config)])\n', 1),
    ('app.router.add_route("DELETE", "/cache", flush)\n', 1),
    ('routes = [Route("/admin/shutdown", shutdown, methods=["POST"])]\n', 1),
    ('app.add_url_rule("/jobs", view_func=enqueue, methods=["POST"])\n', 1),
    # the router's prefix is part of the path
    ('admin = APIRouter(prefix="/admin")\n\n@admin.get("/stats")\ndef stats():\n    pass\n', 3),
    # a read-only route on an administrative path exposes the service
    ('@app.head("/internal/queue")\ndef queue():\n    pass\n', 1),
    # a read-only route named after a state-changing action performs it
    ('@app.get("/cache/flush")\ndef flush():\n    pass\n', 1),
    ('@app.route("/reset")\ndef reset():\n    pass\n', 1),
    # a state-changing word in the path of a route that may change state
    ('@app.api_route("/ingest/status", methods=["GET", "PURGE"])\ndef st():\n    pass\n', 1),
    # a read-only route that lists or serves the server's files at a path the client gives
    (
        '@app.get("/ingest/browse")\nasync def browse(path: str = "/"):\n'
        "    return sorted(os.listdir(path))\n",
        1,
    ),
    ('@app.get("/files")\ndef fetch(name):\n    return FileResponse(name)\n', 1),
    # building a User is not authenticating one
    ('@router.post("/users/")\ndef create_user(body):\n    return User(**body)\n', 1),
)
SHOULD_NOT_FLAG: tuple[str, ...] = (
    '@app.get("/items")\ndef items():\n    return []\n',
    '@app.get("/healthz")\ndef health():\n    return "ok"\n',
    # a read-only route that merely mentions a state-changing word reads its status
    '@app.get("/ingest/status")\ndef ingest_status():\n    return {}\n',
    '@app.head("/reset/health")\ndef reset_health():\n    pass\n',
    '@app.get("/ingest/jobs/{job_id}")\ndef job(job_id: str):\n    return {}\n',
    'app.router.add_get("/purge/history", history)\n',
    '@app.get("/ingest_status")\ndef ingest_status():\n    return {}\n',
    # files the server chooses, not the client
    '@app.get("/docs")\ndef docs(lang: str):\n    return FileResponse("static/index.html")\n',
    '@app.get("/logs")\ndef logs(n: int = 10):\n    return open(LOG_PATH).readlines()[-20:]\n',
    '@app.post("/ingest")\ndef ingest(user: User = Depends(get_current_user)):\n    pass\n',
    '@app.post("/ingest")\ndef ingest(user: Annotated[User, Depends(current_user)]):\n    pass\n',
    '@app.put("/x")\ndef put(key: str = Security(api_key_header)):\n    pass\n',
    '@r.delete("/{uid}", dependencies=[Depends(get_current_active_superuser)])\ndef rm(uid):\n'
    "    pass\n",
    "CurrentUser = Annotated[User, Depends(get_current_user)]\n\n"
    '@r.post("/items")\ndef create(user: CurrentUser, body: Item):\n    pass\n',
    '@app.post("/jobs", dependencies=[Depends(verify_token)])\ndef jobs():\n    pass\n',
    'r = APIRouter(dependencies=[Depends(require_admin)])\n\n@r.post("/reset")\ndef reset():\n'
    "    pass\n",
    '@app.post("/admin/reset")\n@login_required\ndef reset():\n    pass\n',
    '@app.route("/admin", methods=["POST"])\n@requires("authenticated")\nasync def admin(r):\n'
    "    pass\n",
    '@routes.post("/ingest")\nasync def ingest(request):\n    await authenticate(request)\n',
    '@app.post("/login")\ndef login(form):\n    pass\n',
    '@app.post("/auth/token")\ndef token(form):\n    pass\n',
    '@bp.route("/reset_password_request", methods=["POST"])\ndef ask():\n    pass\n',
    '@app.post("/x")\ndef x(t):\n    User.verify_reset_password_token(t)\n',
    "app.add_middleware(AuthenticationMiddleware, backend=JWTBackend())\n\n"
    '@app.post("/ingest")\ndef ingest():\n    pass\n',
    'app = web.Application(middlewares=[auth_middleware])\napp.router.add_post("/x", h)\n',
    '@app.before_request\ndef check():\n    require_api_key(request)\n\n@app.post("/x")\ndef x():\n'
    "    pass\n",
    'requests.post("https://api.example.com/ingest", json=body)\n',
    'PATTERN = "@app.post(\\"/ingest\\")"\n',
    '"""Example:\n\n    @app.post("/admin/reset")\n    def reset(): ...\n"""\n',
)


@pytest.mark.parametrize(("code", "line"), SHOULD_FLAG)
def test_sensitive_route_without_auth_flags(code: str, line: int) -> None:
    hits = scan_routes("svc/api.py", PRELUDE + code, RepoAuth())
    assert [(h.rule_id, h.line) for h in hits] == [(RULE, line + 1)]


@pytest.mark.parametrize("code", SHOULD_NOT_FLAG)
def test_authenticated_or_harmless_route_does_not_flag(code: str) -> None:
    assert scan_routes("svc/api.py", PRELUDE + code, RepoAuth()) == []


def test_a_module_that_is_no_web_code_holds_no_route() -> None:
    assert (
        scan_routes("cli.py", '@app.post("/ingest")\ndef ingest():\n    pass\n', RepoAuth()) == []
    )


def test_the_app_in_another_module_can_cover_a_router() -> None:
    routes = 'router = APIRouter()\n\n@router.post("/ingest")\ndef ingest():\n    pass\n'
    assert [h.line for h in scan_routes("svc/ingest.py", routes, RepoAuth())] == [3]
    main = "app.include_router(ingest.router, dependencies=[Depends(require_api_key)])\n"
    repo = RepoAuth.merge([file_auth(main)])
    assert scan_routes("svc/ingest.py", routes, repo) == []
    middleware = "app.add_middleware(ApiKeyAuthMiddleware)\n"
    assert scan_routes("svc/ingest.py", routes, RepoAuth.merge([file_auth(middleware)])) == []


def test_a_handler_in_another_module_that_authenticates_covers_its_route() -> None:
    app = 'from aiohttp import web\n\napp.router.add_post("/ingest", handlers.ingest)\n'
    assert [h.line for h in scan_routes("svc/app.py", app, RepoAuth())] == [3]
    handlers = (
        "from aiohttp import web\n\n\nasync def ingest(request):\n    check_api_key(request)\n"
    )
    assert scan_routes("svc/app.py", app, RepoAuth.merge([file_auth(handlers)])) == []


def test_an_auth_alias_from_another_module_covers_a_route() -> None:
    routes = (
        'import fastapi\n\n@r.post("/items")\n'
        "def create(user: CurrentUser, db: SessionDep):\n    pass\n"
    )
    assert [h.line for h in scan_routes("svc/items.py", routes, RepoAuth())] == [3]
    deps = (
        "SessionDep = Annotated[Session, Depends(get_db)]\n"
        "CurrentUser = Annotated[User, Depends(get_current_user)]\n"
    )
    repo = RepoAuth.merge([file_auth(deps)])
    assert repo.aliases == frozenset({"CurrentUser"})
    assert scan_routes("svc/items.py", routes, repo) == []


def test_the_message_names_the_route_and_its_handler() -> None:
    code = 'import flask\n\n@app.post("/ingest")\ndef ingest():\n    pass\n'
    (hit,) = scan_routes("a.py", code, RepoAuth())
    assert hit.message.startswith("the route `POST /ingest` (ingest) changes state")
    assert hit.column == 1
    prefixed = (
        'import flask\nbp = Blueprint("ops", __name__, url_prefix="/ops/")\n\n@bp.post("/x")\n'
    )
    (hit,) = scan_routes("a.py", prefixed + "def x():\n    pass\n", RepoAuth())
    assert hit.message.startswith("the route `POST /ops/x` (x)")


def test_a_route_serving_files_the_client_names_says_so() -> None:
    code = '@app.get("/browse")\ndef browse(path):\n    return os.listdir(path)\n'
    (hit,) = scan_routes("svc/api.py", PRELUDE + code, RepoAuth())
    assert "serves the server's files at a path the client chooses" in hit.message
