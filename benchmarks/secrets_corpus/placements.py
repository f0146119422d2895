"""Where the corpus puts a value: the assignment spellings, neutral places, multi-line files.

A ``Spelling`` is a file (its path decides its context: every path here is a
non-test configuration, deploy or source file) and a text with ``{v}`` where the
value goes; ``place`` fills it and says on which line the value is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Spelling:
    """One way of writing a value into a file."""

    name: str
    path: str
    template: str  # ``{v}``: the value


def place(spelling: Spelling, value: str) -> tuple[str, str, int]:
    """(path, text, 1-based line of the value) of ``value`` written in ``spelling``."""
    before = spelling.template.split("{v}", 1)[0]
    return spelling.path, spelling.template.replace("{v}", value), before.count("\n") + 1


def column(spelling: Spelling) -> int:
    """The 1-based column where the value starts on its line."""
    before = spelling.template.split("{v}", 1)[0]
    return len(before) - (before.rfind("\n") + 1) + 1


S = Spelling
# Credential names in every common syntax: what the generic rules must read.
SPELLINGS: tuple[Spelling, ...] = (
    S("dotenv", ".env", "APP_ENV=production\nAPI_TOKEN={v}\n"),
    S("shell-export", "scripts/deploy.sh", "#!/bin/sh\nexport SERVICE_TOKEN={v}\n./run\n"),
    S("shell-quoted", "scripts/env.sh", "#!/bin/sh\nAPI_TOKEN='{v}'\n"),
    S("properties", "src/main/resources/application.properties",
      "server.port=8080\nspring.datasource.password={v}\n"),
    S("ini", "config/app.ini", "[db]\nhost = db.internal\npassword = {v}\n"),
    S("yaml-unquoted", "config/database.yaml", "db:\n  host: db.internal\n  password: {v}\n"),
    S("yaml-quoted", "config/auth.yml", 'auth:\n  client_secret: "{v}"\n'),
    S("compose-list", "docker-compose.yml",
      "services:\n  api:\n    environment:\n      - API_TOKEN={v}\n"),
    S("k8s-env", "k8s/deployment.yaml",
      "spec:\n  containers:\n    - env:\n        - name: API_TOKEN\n          value: {v}\n"),
    S("dockerfile-env", "Dockerfile", "FROM alpine:3.20\nENV API_TOKEN={v}\n"),
    S("xml-element", "config/app.xml", "<config>\n  <password>{v}</password>\n</config>\n"),
    S("xml-entry", "config/mail.xml",
      '<properties>\n  <entry key="mail.smtp.password">{v}</entry>\n</properties>\n'),
    S("xml-attribute", "config/datasource.xml", '<datasource user="app" password="{v}"/>\n'),
    S("xml-appsettings", "web.config",
      '<appSettings>\n  <add key="ApiToken" value="{v}" />\n</appSettings>\n'),
    S("go-var", "internal/app/config.go", 'package app\n\nvar apiToken string = "{v}"\n'),
    S("go-short", "internal/app/client.go",
      'package app\n\nfunc client() string {\n\tapiToken := "{v}"\n\treturn apiToken\n}\n'),
    S("php-concat", "src/config.php", "<?php\n$token = 'tk';\n$token .= '{v}';\n"),
    S("php-array", "src/settings.php", "<?php\n$config['db_password'] = '{v}';\n"),
    S("make-conditional", "Makefile", "API_TOKEN ?= {v}\n"),
    S("make-posix", "build/rules.mk", "all:\n\ttrue\nAPI_TOKEN ::= {v}\n"),
    S("make-simple", "build/vars.mk", "API_TOKEN := {v}\n"),
    S("make-append", "build/extra.mk", "API_TOKEN += {v}\n"),
    S("java-setproperty", "src/main/java/app/Boot.java",
      'class Boot {\n  static { System.setProperty("X_TOKEN", "{v}"); }\n}\n'),
    S("json-escaped-env", "config/task.json",
      '{\n  "env": "MODE=prod\\nAPI_TOKEN={v}\\nDEBUG=0"\n}\n'),
    S("json", "config/service.json", '{\n  "api_key": "{v}"\n}\n'),
    S("toml", "config/app.toml", '[auth]\napi_token = "{v}"\n'),
    S("hcl", "terraform/main.tf", 'resource "db" "main" {\n  password = "{v}"\n}\n'),
    S("python", "src/app/settings.py", 'DB_PASSWORD = "{v}"\n'),
    S("python-typed", "src/app/config.py", 'class Config:\n    api_key: str = "{v}"\n'),
    S("kotlin", "src/main/kotlin/App.kt", 'val apiToken: String = "{v}"\n'),
    S("js-object", "src/config.js", 'module.exports = {\n  apiKey: "{v}",\n};\n'),
    S("ruby-hash", "config/initializers/api.rb", 'API = { :secret_key => "{v}" }\n'),
)  # fmt: skip
# Names that say nothing: a vendor format must be found by its own shape.
NEUTRAL: tuple[Spelling, ...] = (
    S("yaml", "config/service.yaml", "service:\n  name: billing\n  upstream: {v}\n"),
    S("python", "src/billing/client.py", '"""Billing client."""\n\nUPSTREAM = "{v}"\n'),
    S("json", "config/upstream.json", '{\n  "upstream": "{v}"\n}\n'),
    S("java", "src/main/java/app/Upstream.java",
      'class Upstream {\n  static final String VALUE = "{v}";\n}\n'),
    S("toml", "config/service.toml", '[upstream]\nvalue = "{v}"\n'),
    S("go", "internal/app/upstream.go", 'package app\n\nconst upstream = "{v}"\n'),
    S("dotenv", "deploy/.env", "MODE=prod\nUPSTREAM={v}\n"),
    S("shell", "scripts/call.sh", "#!/bin/sh\ncurl -H 'X-Upstream: {v}' https://api.internal/v1\n"),
)  # fmt: skip
BY_NAME: dict[str, Spelling] = {s.name: s for s in SPELLINGS}


def _pem(value: str) -> tuple[str, str, int]:
    return "config/certs/service.pem", value + "\n", 1


def _service_account(value: str) -> tuple[str, str, int]:
    text = '{\n  "type": "service_account",\n  "private_key": "' + value + '",\n  "x": 1\n}\n'
    return "config/gcp-service-account.json", text, 3


MULTILINE: dict[str, Callable[[str], tuple[str, str, int]]] = {
    "private-key": _pem,
    "gcp-service-account-key": _service_account,
}
