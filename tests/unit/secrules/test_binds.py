"""Binding to every interface, judged by where the value flows: should-flag / should-not-flag."""

from __future__ import annotations

import pytest

from aces.engines.exposure import scan_exposure
from aces.engines.exposure.binds import bind_all_lines

BIND = "sec.unsafe-exposure.bind-all"

PYTHON_FLAG = [
    'parser.add_argument("--host", default="0.0.0.0")',
    '@click.option("--bind", default="::")\ndef main(bind): ...',
    'class Settings(BaseSettings):\n    host: str = "0.0.0.0"',
    'class Settings(BaseModel):\n    listen_addr: str = Field(default="0.0.0.0:8080")',
    "@dataclass\nclass Config:\n    host: str = '0.0.0.0'",
    'uvicorn.run(app, host="0.0.0.0", port=8000)',
    'app.run(host="0.0.0.0", port=8080)',
    'web.run_app(app, host="0.0.0.0")',
    'sock.bind(("0.0.0.0", 9000))',
    'sock.bind(("::", 9000))',
    'server = HTTPServer(("0.0.0.0", 8000), Handler)',
    'await websockets.serve(handler, "0.0.0.0", 8765)',
    'host = os.getenv("HOST", "0.0.0.0")',
    'def serve(app, host="0.0.0.0", port=8000): ...',
    'addr = "0.0.0.0"\nserver = make_server(addr, 8000, app)',
    'CONFIG = {"listen": "0.0.0.0:4222"}',
    'server = await asyncio.start_server(handle, f"0.0.0.0", port)',
]
PYTHON_PASS = [
    'requests.get(f"http://0.0.0.0:{port}/health")',
    'url = f"http://0.0.0.0:{port}/health"\nresp = httpx.get(url)',
    'parts = name.split("::")',
    'SEP = "::"\nparts = name.split(SEP)',
    'parser.add_argument("--name", default="0.0.0.0")',
    'redis_host: str = "0.0.0.0"',
    'client = Redis(host="0.0.0.0")',
    'log.info("listening on 0.0.0.0")',
    'app.run(host="127.0.0.1", port=8080)',
    'cidr = "10.0.0.0/8"',
]
RUST_FLAG = [
    "#[derive(Parser)]\nstruct Args {\n"
    '    #[arg(long, default_value = "0.0.0.0")]\n    host: String,\n}',
    "#[derive(Parser)]\nstruct A {\n"
    '    #[clap(long, default_value = "[::]:8080")]\n    listen: String,\n}',
    "struct A {\n"
    "    #[arg(default_value_t = IpAddr::V4(Ipv4Addr::UNSPECIFIED))]\n    bind_ip: IpAddr,\n}",
    'fn f() { let l = TcpListener::bind("0.0.0.0:8080"); }',
    "fn f() { let addr = SocketAddr::from(([0, 0, 0, 0], 8080)); }",
    "fn f() { let s = SocketAddr::new(Ipv4Addr::UNSPECIFIED.into(), 80); serve(bind(s)); }",
    'fn f() { let c = Config { host: "0.0.0.0".to_string() }; }',
    'fn f() { let host = env::var("HOST").unwrap_or_else(|_| "0.0.0.0".into()); }',
    'const LISTEN_ADDR: &str = "0.0.0.0:4222";',
    'fn f(p: u16) { let l = TcpListener::bind(format!("0.0.0.0:{p}")); }',
]
RUST_PASS = [
    'fn f(p: u16) { let u = format!("http://0.0.0.0:{p}/health"); let r = client.get(&u); }',
    'fn f(p: u16) { let r = reqwest::get(format!("http://0.0.0.0:{p}/health")); }',
    'fn f(s: &str) -> Vec<&str> { s.split("::").collect() }',
    "#[derive(Parser)]\nstruct A {\n"
    '    #[arg(long, default_value = "0.0.0.0")]\n    upstream_host: String,\n}',
    'fn f() { println!("listening on 0.0.0.0"); }',
    'fn f() { let l = TcpListener::bind("127.0.0.1:8080"); }',
]


def _lines(language: str, code: str) -> list[tuple[int, int, str]]:
    return list(bind_all_lines(f"x.{'py' if language == 'python' else 'rs'}", language, code))


@pytest.mark.parametrize("code", PYTHON_FLAG)
def test_python_bind_all_is_flagged(code: str) -> None:
    assert _lines("python", code), code


@pytest.mark.parametrize("code", PYTHON_PASS)
def test_python_value_not_bound_is_not_flagged(code: str) -> None:
    assert _lines("python", code) == []


@pytest.mark.parametrize("code", RUST_FLAG)
def test_rust_bind_all_is_flagged(code: str) -> None:
    assert _lines("rust", code), code


@pytest.mark.parametrize("code", RUST_PASS)
def test_rust_value_not_bound_is_not_flagged(code: str) -> None:
    assert _lines("rust", code) == []


def test_the_finding_is_at_the_value_and_says_how_it_is_used() -> None:
    code = "import argparse\n\np = argparse.ArgumentParser()\n"
    code += 'p.add_argument("--host", default="0.0.0.0")\n'
    [hit] = scan_exposure("svc/cli.py", code)
    assert (hit.rule_id, hit.line, hit.column) == (BIND, 4, 34)
    assert hit.message.endswith("(`--host` default)")


def test_authentication_in_the_file_still_clears_a_bind() -> None:
    code = 'API_KEY_HEADER = "x-api-key"\nuvicorn.run(app, host="0.0.0.0")\n'
    assert scan_exposure("svc/main.py", code) == []


def test_configuration_text_keeps_the_line_rule() -> None:
    assert [h.rule_id for h in scan_exposure("deploy/nats.conf", "listen: 0.0.0.0:4222\n")] == [
        BIND
    ]
