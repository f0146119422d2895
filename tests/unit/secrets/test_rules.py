"""Every built-in rule's should-flag and should-not-flag samples, and the rule file itself."""

from __future__ import annotations

import pytest

from aces.engines.secrets.matcher import Matcher
from aces.engines.secrets.rules import Rule, load_builtin, parse_ruleset
from aces.engines.secrets.samples import expand
from aces.errors import InputError

RULES = load_builtin()
MATCHER = Matcher(RULES)
FLAG = [(r.id, i, s) for r in RULES.rules for i, s in enumerate(r.flag)]
SKIP = [(r.id, i, s) for r in RULES.rules for i, s in enumerate(r.skip)]
REQUIRED = {
    "private-key",
    "gcp-service-account-key",
    "aws-access-key-id",
    "aws-secret-access-key",
    "github-token",
    "github-fine-grained-token",
    "gitlab-token",
    "slack-token",
    "slack-webhook",
    "stripe-key",
    "google-api-key",
    "azure-storage-connection-string",
    "azure-storage-key",
    "npm-token",
    "pypi-token",
    "twilio-api-key",
    "twilio-auth-token",
    "sendgrid-api-key",
    "nats-nkey-seed",
    "age-secret-key",
    "digitalocean-token",
    "shopify-token",
    "pulumi-token",
    "rubygems-token",
    "harness-token",
    "huggingface-token",
    "openai-api-key",
    "anthropic-api-key",
    "vault-token",
    "doppler-token",
    "linear-api-key",
    "postman-api-key",
    "databricks-token",
    "grafana-token",
    "jwt",
    "jwt-base64",
    "postgres-url-password",
    "redis-url-password",
    "url-credentials",
    "generic-secret",
    "generic-bare-secret",
    "deploy-credential",
    "deploy-env-value",
}


SOURCE_PATH = "src/app/settings.py"
DEPLOY_PATH = "deploy/docker-compose.yml"


def found(text: str, path: str = SOURCE_PATH) -> list[str]:
    return [m.rule.id for m in MATCHER.find(text.encode("utf-8"), path)]


CONFIG_PATH = "config/settings.conf"


def sample_path(rule_id: str) -> str:
    """A file the rule reads: a deploy file for deploy rules, a configuration file for a
    rule that does not read source code, else source code."""
    rule = next(r for r in RULES.rules if r.id == rule_id)
    if rule.contexts:
        return DEPLOY_PATH
    return CONFIG_PATH if rule.path and not rule.path.search(SOURCE_PATH) else SOURCE_PATH


@pytest.mark.parametrize(
    ("rule_id", "index", "template"), FLAG, ids=[f"{r}-{i}" for r, i, _ in FLAG]
)
def test_flag_sample_gives_exactly_its_rule(rule_id: str, index: int, template: str) -> None:
    assert found(expand(template, f"{rule_id}:flag:{index}"), sample_path(rule_id)) == [rule_id]


@pytest.mark.parametrize(
    ("rule_id", "index", "template"), SKIP, ids=[f"{r}-{i}" for r, i, _ in SKIP]
)
def test_skip_sample_gives_nothing(rule_id: str, index: int, template: str) -> None:
    assert found(expand(template, f"{rule_id}:skip:{index}"), sample_path(rule_id)) == []


@pytest.mark.parametrize("rule", RULES.rules, ids=[r.id for r in RULES.rules])
def test_every_rule_ships_samples_of_both_kinds(rule: Rule) -> None:
    assert rule.flag and rule.skip


@pytest.mark.parametrize("seed", ["a", "b", "c"])
def test_flag_samples_hold_across_seeds(seed: str) -> None:
    missed = [
        (rule.id, i)
        for rule in RULES.rules
        for i, template in enumerate(rule.flag)
        if found(expand(template, f"{seed}:{i}"), sample_path(rule.id)) != [rule.id]
    ]
    assert missed == []


def test_the_rule_set_covers_the_documented_formats() -> None:
    assert {r.id for r in RULES.rules} == REQUIRED


def test_the_rule_file_itself_holds_no_secret() -> None:
    from importlib import resources

    text = resources.files("aces.engines.secrets").joinpath("rules").joinpath("builtin.toml")
    assert MATCHER.find(text.read_bytes()) == []


def test_a_secret_inside_a_generic_assignment_is_reported_once_by_the_vendor_rule() -> None:
    token = expand("ghp_@@alnum:36@@", "dup")
    assert found(f'api_token = "{token}"') == ["github-token"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[rule]]\nid = 'x'\ntitle = 't'\nregex = '('\n", "rule 'x': the regex does not compile"),
        (
            "[[rule]]\nid = 'x'\ntitle = 't'\nregex = 'a'\nbogus = 1\n",
            "rule[0]: unknown keys bogus",
        ),
        ("[[rule]]\nid = 'x'\ntitle = 't'\nregex = 'a'\nsecret_group = 2\n", "no group 2"),
        ("[[rule]]\nid = 'x'\ntitle = 't'\nregex = 'a'\nentropy = 'hi'\n", "entropy must be"),
        ("x = 1\n", "expected one or more [[rule]] tables"),
        ("[[rule]\n", "not valid TOML"),
    ],
)
def test_bad_rule_files_name_the_file_and_the_rule(text: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_ruleset(text, "rules.toml")
    assert message in caught.value.diagnostics()
    assert caught.value.diagnostics().startswith("rules.toml: ")


@pytest.mark.parametrize(
    "path", ["src/app/auth.py", "typeshed/ssl.pyi", "src/Auth.java", "src/auth.ts", "lib/x.cc"]
)
def test_a_bare_value_in_program_source_is_an_identifier_not_a_secret(path: str) -> None:
    value = expand("@@alnum:24@@", "bare-src")
    assert found(f"    password: {value}\n", path) == []
    assert found(f'    password = "{value}"\n', path) == ["generic-secret"]


@pytest.mark.parametrize(
    ("path", "text", "column"),
    [
        (".env", "API_TOKEN={v}\n", 11),
        ("config/app.properties", "db.password = {v}\n", 15),
        ("config/app.yaml", "db:\n  password: {v}\n", 13),
        ("Makefile", "API_TOKEN ?= {v}\n", 14),
        ("scripts/run.sh", "export API_TOKEN={v}\n", 18),
        ("config/app.xml", "<password>{v}</password>\n", 11),
    ],
)
def test_a_bare_value_in_a_configuration_syntax_is_reported_at_its_column(
    path: str, text: str, column: int
) -> None:
    value = expand("@@alnum:24@@", "bare-cfg")
    body = text.format(v=value).encode("utf-8")
    matches = MATCHER.find(body, path)
    assert [m.rule.id for m in matches] in (["generic-bare-secret"], ["deploy-credential"])
    start = matches[0].start
    assert start - (body.rfind(b"\n", 0, start) + 1) + 1 == column
    assert matches[0].secret == value.encode("ascii")


def test_a_rule_like_another_takes_its_value_tests() -> None:
    bare = next(r for r in RULES.rules if r.id == "generic-bare-secret")
    quoted = next(r for r in RULES.rules if r.id == "generic-secret")
    assert (bare.entropy, bare.min_classes, bare.allow, bare.allow_match, bare.keywords) == (
        quoted.entropy,
        quoted.min_classes,
        quoted.allow,
        quoted.allow_match,
        quoted.keywords,
    )


def test_like_must_name_an_earlier_rule() -> None:
    text = "[[rule]]\nid = 'x'\ntitle = 't'\nregex = 'a'\nlike = 'nope'\n"
    with pytest.raises(InputError) as caught:
        parse_ruleset(text, "rules.toml")
    assert "like 'nope' names no earlier rule" in caught.value.diagnostics()


def test_a_prefilter_is_what_hyperscan_reads_and_a_superset_of_the_regex() -> None:
    rule = next(r for r in RULES.rules if r.id == "generic-secret")
    assert rule.prefilter is not None
    line = expand('  static { System.setProperty("API_TOKEN", "@@alnum:24@@"); }', "pf")
    data = line.encode("ascii")
    assert rule.regex.search(data) and rule.prefilter.search(data)
    assert rule.priority in MATCHER.candidates(data)
    assert found(line, "src/main/java/app/Boot.java") == ["generic-secret"]
