"""Secrets split across the string literals of one expression are found, joined.

Should-flag and should-not-flag tables: each sample is a line of code in some
language; secret values are generated at test time.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aces.engines.secrets.literals import joined_matches
from aces.engines.secrets.redact import builtin_matcher
from aces.engines.secrets.samples import expand
from aces.engines.secrets.scanner import scan_file

GH = expand("ghp_@@alnum:36@@", "literals-gh")
AWS = expand("AKIA@@b32:16@@", "literals-aws")
PW = expand("@@alnum:24@@", "literals-pw")

FLAG = [
    ("python plus", f'TOKEN = "{GH[:4]}" + "{GH[4:]}"\n', "github-token", GH),
    ("javascript plus", f"const t = '{GH[:9]}' + '{GH[9:]}';\n", "github-token", GH),
    ("adjacent", f'KEY_ID = "{AWS[:4]}" "{AWS[4:]}"\n', "aws-access-key-id", AWS),
    ("parenthesised lines", f'T = (\n    "{GH[:10]}"\n    "{GH[10:]}"\n)\n', "github-token", GH),
    ("continuation", f'T = "{GH[:10]}" \\\n    "{GH[10:]}"\n', "github-token", GH),
    ("f-string fields", f"T = f\"{{'{GH[:4]}'}}{{'{GH[4:]}'}}\"\n", "github-token", GH),
    ("f-string pieces", f'T = f"{GH[:4]}" f"{GH[4:]}"\n', "github-token", GH),
    (
        "rust concat!",
        f'const T: &str = concat!("{GH[:4]}", "{GH[4:20]}", "{GH[20:]}");\n',
        "github-token",
        GH,
    ),
    ("php dot", f"$t = '{GH[:6]}' . '{GH[6:]}';\n", "github-token", GH),
    ("lua dots", f'local t = "{GH[:6]}" .. "{GH[6:]}"\n', "github-token", GH),
    ("elixir", f'@token "{GH[:6]}" <> "{GH[6:]}"\n', "github-token", GH),
    ("sql", f"SELECT '{AWS[:10]}' || '{AWS[10:]}';\n", "aws-access-key-id", AWS),
    ("assigned value", f'db_password = "{PW[:12]}" + "{PW[12:]}"\n', "generic-secret", PW),
]
SKIP = [
    ("words", 'msg = "hello " + "world"\n'),
    ("list of pieces", f'parts = ["{GH[:4]}", "{GH[4:]}"]\n'),
    ("call arguments", f'join("{GH[:4]}", "{GH[4:]}")\n'),
    ("variable between", f'T = "{GH[:4]}" + x + "{GH[4:]}"\n'),
    ("placeholder", f'T = "{GH[:4]}" + "{"x" * 36}"\n'),
    ("whole token in one piece", f'T = "{GH}" + "\\n"\n'),
]


@pytest.mark.parametrize(("name", "line", "rule", "secret"), FLAG, ids=[c[0] for c in FLAG])
def test_joined_pieces_are_one_secret(name: str, line: str, rule: str, secret: str) -> None:
    found = joined_matches(builtin_matcher(), line.encode())
    assert [(m.rule.id, m.secret) for m in found] == [(rule, secret.encode())], name


@pytest.mark.parametrize(("name", "line"), SKIP, ids=[c[0] for c in SKIP])
def test_what_is_not_a_joined_secret(name: str, line: str) -> None:
    assert joined_matches(builtin_matcher(), line.encode()) == [], name


def test_a_joined_secret_is_placed_at_its_first_piece(tmp_path: Path) -> None:
    path = tmp_path / "settings.py"
    path.write_text(f'import os\nT = (\n    "{GH[:10]}"\n    "{GH[10:]}"\n)\n', encoding="utf-8")
    hits = scan_file(builtin_matcher(), str(path), "settings.py").hits
    assert [(h.rule_id, h.line, h.column, h.end_line) for h in hits] == [("github-token", 3, 6, 4)]


def test_a_token_in_one_literal_is_found_once(tmp_path: Path) -> None:
    path = tmp_path / "settings.py"
    path.write_text(f'T = "{GH}" + "\\n"\nU = "{GH[:4]}" + "{GH[4:]}"\n', encoding="utf-8")
    hits = scan_file(builtin_matcher(), str(path), "settings.py").hits
    assert [(h.rule_id, h.line, h.column) for h in hits] == [
        ("github-token", 1, 6),
        ("github-token", 2, 6),
    ]
