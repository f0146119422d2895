"""A hard-coded key is a literal that reaches a crypto API, directly or through a name."""

from __future__ import annotations

import pytest

from aces.engines.cryptorules import CryptoScanner

KEY = "sec.crypto-misuse.hardcoded-key"
SCANNER = CryptoScanner(2048)

NOT_KEYS = [
    ("report.py", 'FORMAT_KEY = "aces_coverage_baseline"\nrow = data[FORMAT_KEY]\n'),
    ("route.py", 'def k(a, b):\n    dest_key = f"{a}:{b}"\n    return dest_key\n'),
    ("route.py", 'SORT_KEY = "name"\nrows.sort(key=SORT_KEY)\n'),
    ("cache.py", 'API_KEY_HEADER = "x-api-key"\nheaders[API_KEY_HEADER] = value\n'),
    ("mac.py", 'KEY = f"{tenant}:{room}"\nmac = hmac.new(KEY.encode(), msg, "sha256")\n'),
    ("mac.py", 'KEY = os.environ["MAC_KEY"]\nmac = hmac.new(KEY, msg, "sha256")\n'),
    ("mac.py", 'KEY = b"x"\nKEY = load()\nmac = hmac.new(KEY, msg, "sha256")\n'),
    ("lib.rs", 'const CACHE_KEY: &str = "frames";\nfn f(m: &M) { m.get(CACHE_KEY); }\n'),
]
KEYS = [
    ("mac.py", 'import hmac\nSIGNING = b"s3cr3t"\nmac = hmac.new(SIGNING, msg, "sha256")\n', 2),
    ("tok.py", 'SECRET = "k"\n\n\ndef t(p):\n    return jwt.encode(p, SECRET, "HS256")\n', 1),
    ("settings.py", 'DEBUG = False\nSECRET_KEY = "django-insecure-abc"\n', 2),
    ("lib.rs", 'const K: &[u8] = b"0123";\nfn f() { let m = Hmac::new_from_slice(K); }\n', 1),
    ("lib.rs", 'fn f() {\n    let m = HmacSha256::new_from_slice(b"my secret");\n}\n', 2),
]


@pytest.mark.parametrize(("path", "code"), NOT_KEYS)
def test_a_name_that_never_reaches_a_crypto_api_is_not_a_key(path: str, code: str) -> None:
    assert [h for h in SCANNER.scan(path, code.encode()) if h.rule_id == KEY] == []


@pytest.mark.parametrize(("path", "code", "line"), KEYS)
def test_a_literal_reaching_a_crypto_api_is_a_key_at_the_literal(
    path: str, code: str, line: int
) -> None:
    assert [(h.rule_id, h.line) for h in SCANNER.scan(path, code.encode())] == [(KEY, line)]


def test_a_key_constant_imported_from_another_file_is_found_at_its_literal() -> None:
    files = [
        ("svc/keys.py", b'"""Keys."""\n\nSIGNING = b"s3cr3t"\n'),
        (
            "svc/sign.py",
            b"import hmac\nfrom .keys import SIGNING as K\n\nm = hmac.new(K, b'x', 's')\n",
        ),
        ("crates/a/src/keys.rs", b'pub const MAC_KEY: &[u8] = b"0123";\n'),
        (
            "crates/a/src/mac.rs",
            b"use crate::keys::MAC_KEY;\nfn f() { let m = Hmac::new_from_slice(MAC_KEY); }\n",
        ),
    ]
    assert [(h.rule_id, h.path, h.line) for h in SCANNER.scan_project(files)] == [
        (KEY, "crates/a/src/keys.rs", 1),
        (KEY, "svc/keys.py", 3),
    ]


def test_a_constant_defined_in_two_files_or_in_a_function_does_not_resolve() -> None:
    files = [
        ("a/keys.py", b'SIGNING = b"one"\n'),
        ("b/keys.py", b'SIGNING = b"two"\n'),
        ("c/local.py", b'def f():\n    TOKEN = b"t"\n    return TOKEN\n'),
        (
            "d/use.py",
            b"from keys import SIGNING\nfrom local import TOKEN\n"
            b"hmac.new(SIGNING)\nhmac.new(TOKEN)\n",
        ),
    ]
    assert SCANNER.scan_project(files) == []
