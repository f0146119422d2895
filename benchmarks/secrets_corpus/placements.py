"""Where the corpus puts a value: the assignment spellings, neutral places, multi-line files.

A ``Spelling`` is a file (its path decides its context: every path here is a
non-test configuration, deploy or source file) and a text with ``{v}`` where the
value goes and ``{n}`` where a credential name goes (one of ``NAMES`` in the
spelling's naming style, chosen by the case's index); ``place`` fills it and says
on which line the value is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Spelling:
    """One way of writing a value into a file."""

    name: str
    path: str
    template: str  # ``{v}``: the value; ``{n}``: a credential name
    style: str = ""  # the naming style of ``{n}`` (a key of ``NAMES``)


# Credential names as each syntax tends to spell them (prefixes and suffixes included).
NAMES: dict[str, tuple[str, ...]] = {
    "upper": ("API_TOKEN", "DB_PASSWORD", "STRIPE_SECRET_KEY", "AUTH_TOKEN", "CLIENT_SECRET",
              "SERVICE_API_KEY", "ADMIN_PWD", "SMTP_PASSPHRASE"),
    "lower": ("api_token", "db_password", "secret_key", "auth_token", "client_secret",
              "access_key", "passphrase", "credentials"),
    "camel": ("apiToken", "dbPassword", "clientSecret", "secretKey", "authToken", "accessKey",
              "privateKey", "signingKey"),
    "dotted": ("spring.datasource.password", "mail.smtp.password", "app.jwt.secret",
               "auth.token", "oauth.client-secret", "db.credentials"),
}  # fmt: skip


def fill(spelling: Spelling, index: int = 0) -> str:
    """The spelling's template with the ``index``-th name of its style."""
    if not spelling.style:
        return spelling.template
    names = NAMES[spelling.style]
    return spelling.template.replace("{n}", names[index % len(names)])


def place(spelling: Spelling, value: str, index: int = 0) -> tuple[str, str, int]:
    """(path, text, 1-based line of the value) of ``value`` written in ``spelling``."""
    template = fill(spelling, index)
    before = template.split("{v}", 1)[0]
    return spelling.path, template.replace("{v}", value), before.count("\n") + 1


def column(spelling: Spelling, index: int = 0) -> int:
    """The 1-based column where the value starts on its line."""
    before = fill(spelling, index).split("{v}", 1)[0]
    return len(before) - (before.rfind("\n") + 1) + 1


S = Spelling
# Credential names in every common syntax: what the generic rules must read.
SPELLINGS: tuple[Spelling, ...] = (
    S("dotenv", ".env", "APP_ENV=production\n{n}={v}\n", "upper"),
    S("shell-export", "scripts/deploy.sh", "#!/bin/sh\nexport {n}={v}\n./run\n", "upper"),
    S("shell-quoted", "scripts/env.sh", "#!/bin/sh\n{n}='{v}'\n", "upper"),
    S("properties", "src/main/resources/application.properties",
      "server.port=8080\n{n}={v}\n", "dotted"),
    S("ini", "config/app.ini", "[db]\nhost = db.internal\n{n} = {v}\n", "lower"),
    S("yaml-unquoted", "config/database.yaml", "db:\n  host: db.internal\n  {n}: {v}\n", "lower"),
    S("yaml-quoted", "config/auth.yml", 'auth:\n  {n}: "{v}"\n', "lower"),
    S("compose-list", "docker-compose.yml",
      "services:\n  api:\n    environment:\n      - {n}={v}\n", "upper"),
    S("k8s-env", "k8s/deployment.yaml",
      "spec:\n  containers:\n    - env:\n        - name: {n}\n          value: {v}\n", "upper"),
    S("dockerfile-env", "Dockerfile", "FROM alpine:3.20\nENV {n}={v}\n", "upper"),
    S("xml-element", "config/app.xml", "<config>\n  <{n}>{v}</{n}>\n</config>\n", "camel"),
    S("xml-entry", "config/mail.xml",
      '<properties>\n  <entry key="{n}">{v}</entry>\n</properties>\n', "dotted"),
    S("xml-attribute", "config/datasource.xml", '<datasource user="app" {n}="{v}"/>\n', "camel"),
    S("xml-appsettings", "web.config",
      '<appSettings>\n  <add key="{n}" value="{v}" />\n</appSettings>\n', "camel"),
    S("go-var", "internal/app/config.go", 'package app\n\nvar {n} string = "{v}"\n', "camel"),
    S("go-short", "internal/app/client.go",
      'package app\n\nfunc client() string {\n\t{n} := "{v}"\n\treturn {n}\n}\n', "camel"),
    S("php-concat", "src/config.php", "<?php\n${n} = 'tk';\n${n} .= '{v}';\n", "camel"),
    S("php-array", "src/settings.php", "<?php\n$config['{n}'] = '{v}';\n", "lower"),
    S("make-conditional", "Makefile", "{n} ?= {v}\n", "upper"),
    S("make-posix", "build/rules.mk", "all:\n\ttrue\n{n} ::= {v}\n", "upper"),
    S("make-simple", "build/vars.mk", "{n} := {v}\n", "upper"),
    S("make-append", "build/extra.mk", "{n} += {v}\n", "upper"),
    S("java-setproperty", "src/main/java/app/Boot.java",
      'class Boot {\n  static { System.setProperty("{n}", "{v}"); }\n}\n', "upper"),
    S("json-escaped-env", "config/task.json",
      '{\n  "env": "MODE=prod\\n{n}={v}\\nDEBUG=0"\n}\n', "upper"),
    S("json", "config/service.json", '{\n  "{n}": "{v}"\n}\n', "lower"),
    S("toml", "config/app.toml", '[auth]\n{n} = "{v}"\n', "lower"),
    S("hcl", "terraform/main.tf", 'resource "db" "main" {\n  {n} = "{v}"\n}\n', "lower"),
    S("python", "src/app/settings.py", '{n} = "{v}"\n', "upper"),
    S("python-typed", "src/app/config.py", 'class Config:\n    {n}: str = "{v}"\n', "lower"),
    S("kotlin", "src/main/kotlin/App.kt", 'val {n}: String = "{v}"\n', "camel"),
    S("js-object", "src/config.js", 'module.exports = {\n  {n}: "{v}",\n};\n', "camel"),
    S("ruby-hash", "config/initializers/api.rb", 'API = { :{n} => "{v}" }\n', "lower"),
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
