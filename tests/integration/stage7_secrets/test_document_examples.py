"""A document's examples are information; the same shapes in code and configuration block.

Guides show a login (``password: 'SecurePass123'``), a spec's testing guide a
password (`` `SecurePass123!` ``), a developers' guide a JWT: in a document these are
its examples (severity note). An OpenAPI / Swagger description's ``example`` values
are documentation too, while the rest of the description keeps its file's context. A
token of a provider's format blocks in a document as anywhere else. An API description
written in code (``Field(example=…)``, ``@ApiProperty({ example: … })``) has examples too,
while the rest of the code blocks.
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.stage7_secrets.test_secret_contexts import context, rows, scanned
from tests.integration.stage7_secrets.test_stage7_secrets import git, git_example

from aces.engines.secrets.samples import expand
from aces.model import Severity

# a documentation example's JWT: {"alg":"HS256","typ":"JWT"}.{"sub":"42","iat":1700000000}
JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsImlhdCI6MTcwMDAwMDAwMH0." + expand(
    "@@b64url:43@@", "doc-jwt"
)
SERVICE_PASSWORD = expand("@@alnum:20@@", "doc-svc")
TOKEN = expand("ghp_@@alnum:36@@", "doc-gh")
FILES = {
    "docs/guide.md": "# Guide\n\n```yaml\nauth:\n  password: 'SecurePass123'\n```\n",
    "specs/001-login/quickstart.md": (
        "# Testing guide\n\nSign in with `SecurePass123!`:\n\n"
        '```python\nclient.login(password="SecurePass123!")\n```\n'
    ),
    "DEVELOPERS.md": (
        f"# Developers\n\nA documentation example:\n\n    Authorization: Bearer {JWT}\n"
    ),
    "api/openapi.yaml": (
        "openapi: 3.0.3\n"
        "info:\n"
        "  title: Bus API\n"
        "servers:\n"
        f"  - url: https://svc:{SERVICE_PASSWORD}@api.internal/v1\n"
        "paths:\n"
        "  /me:\n"
        "    get:\n"
        "      parameters:\n"
        "        - name: Authorization\n"
        "          in: header\n"
        f'          example: "Bearer {JWT}"\n'
        "      responses:\n"
        "        '200':\n"
        "          content:\n"
        "            application/json:\n"
        "              examples:\n"
        "                session:\n"
        "                  value:\n"
        f'                    access_token: "{JWT}"\n'
        f'                    github: "{TOKEN}"\n'
    ),
    "api/swagger.json": (
        "{\n"
        '  "swagger": "2.0",\n'
        '  "definitions": {\n'
        '    "Session": {\n'
        '      "properties": {\n'
        '        "token": {"type": "string", "example": "' + JWT + '"}\n'
        "      }\n"
        "    }\n"
        "  }\n"
        "}\n"
    ),
    "src/arqonbus_mini/session.py": f'"""Session."""\n\nDEFAULT_TOKEN = "{JWT}"\n',
    "src/arqonbus_mini/api_models.py": (
        '"""API models."""\n'
        "\n"
        "\n"
        "class Login(BaseModel):\n"
        f'    token: str = Field(..., example="Bearer {JWT}")\n'
        "    model_config = {\n"
        '        "json_schema_extra": {\n'
        '            "examples": [\n'
        f'                {{"access_token": "{JWT}"}},\n'
        "            ]\n"
        "        }\n"
        "    }\n"
        f'    fallback_token: str = "{JWT}"\n'
    ),
    "web/src/auth.dto.ts": (
        f"export class AuthDto {{\n  @ApiProperty({{ example: '{JWT}' }})\n  token!: string;\n}}\n"
    ),
}
EXPECTED = [
    ("sec.secrets.jwt", "DEVELOPERS.md", 5, Severity.NOTE),
    ("sec.secrets.url-credentials", "api/openapi.yaml", 5, Severity.ERROR),
    ("sec.secrets.jwt", "api/openapi.yaml", 12, Severity.NOTE),
    ("sec.secrets.jwt", "api/openapi.yaml", 20, Severity.NOTE),
    ("sec.secrets.github-token", "api/openapi.yaml", 21, Severity.ERROR),
    ("sec.secrets.jwt", "api/swagger.json", 6, Severity.NOTE),
    ("sec.secrets.generic-secret", "docs/guide.md", 5, Severity.NOTE),
    ("sec.secrets.generic-secret", "specs/001-login/quickstart.md", 6, Severity.NOTE),
    ("sec.secrets.jwt", "src/arqonbus_mini/api_models.py", 5, Severity.NOTE),
    ("sec.secrets.jwt", "src/arqonbus_mini/api_models.py", 9, Severity.NOTE),
    ("sec.secrets.jwt", "src/arqonbus_mini/api_models.py", 13, Severity.ERROR),
    ("sec.secrets.jwt", "src/arqonbus_mini/session.py", 3, Severity.ERROR),
    ("sec.secrets.jwt", "web/src/auth.dto.ts", 2, Severity.NOTE),
]


def planted(tmp_path: Path) -> Path:
    root = git_example(tmp_path)
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "change")
    return root


def test_document_and_api_examples_are_information(tmp_path: Path) -> None:
    found = scanned(context(planted(tmp_path)))
    assert rows(found) == EXPECTED
    assert {f.clauses for f in found} == {("sec.secrets",)}
    by_place = {(f.location.path, f.location.line): f for f in found if f.location}
    assert "in documentation example, a document's example: information" in (
        by_place[("api/openapi.yaml", 12)].message
    )
    assert "in configuration" in by_place[("api/openapi.yaml", 5)].message
