"""The line-by-line rules are confirmed only on the keyword lines where hyperscan saw a
match end: the same matches as reading every keyword line, fewer lines read."""

from __future__ import annotations

import pytest

from aces.engines.secrets.matcher import Match, Matcher, lines_of_ends
from aces.engines.secrets.rules import load_builtin, parse_ruleset
from aces.engines.secrets.samples import expand

RULES = load_builtin()
MATCHER = Matcher(RULES)
# Lines holding every keyword of the built-in rules and no secret: `re` would read each.
NOISE = "\n".join(
    f"{keyword.decode()}_count = len(items)  # the {keyword.decode()} of each row"
    for keyword in sorted({k for rule in RULES.rules for k in rule.keywords})
)
SAMPLES = [
    (r.id, kind, i, s)
    for r in RULES.rules
    for kind, templates in (("flag", r.flag), ("skip", r.skip))
    for i, s in enumerate(templates)
]


def spans(matches: list[Match]) -> list[tuple[str, int, int, bytes]]:
    return [(m.rule.id, m.start, m.end, m.secret) for m in matches]


def path_of(rule_id: str) -> str:
    rule = next(r for r in RULES.rules if r.id == rule_id)
    if rule.contexts:
        return "deploy/docker-compose.yml"
    return "config/settings.conf" if rule.path else "src/app/settings.py"


@pytest.mark.parametrize(
    ("rule_id", "kind", "index", "template"),
    SAMPLES,
    ids=[f"{r}-{k}-{i}" for r, k, i, _ in SAMPLES],
)
def test_reading_the_lines_where_matches_end_finds_what_reading_every_keyword_line_finds(
    rule_id: str, kind: str, index: int, template: str
) -> None:
    sample = expand(template, f"{rule_id}:{kind}:{index}")
    data = f"{NOISE}\n{sample}\n{NOISE}\n{sample}".encode()
    path = path_of(rule_id)
    every_keyword_line = MATCHER.find(data, path, candidates=MATCHER.candidates(data))
    assert spans(MATCHER.find(data, path, marks=MATCHER.scan(data))) == spans(every_keyword_line)
    assert (kind == "flag") == any(m.rule.id == rule_id for m in every_keyword_line)


def test_only_the_keyword_lines_where_a_match_ends_are_read() -> None:
    secret = expand("@@alnum:24@@", "lines")
    data = f"{NOISE}\napi_token = '{secret}'\n{NOISE}\n".encode()
    index = next(i for i, r in enumerate(RULES.rules) if r.id == "generic-secret")
    marks = MATCHER.scan(data)
    lines = lines_of_ends(data, data.lower(), RULES.rules[index].keywords, marks.ends[index])
    assert [data[start:end] for start, end in lines] == [f"api_token = '{secret}'".encode()]


def test_a_match_ending_on_the_newline_is_read_on_the_line_the_newline_ends() -> None:
    data = b"a = 1\nkey: value\nx\n"
    # a match whose last byte is the newline after `key: value` (the bare rule's shape)
    assert lines_of_ends(data, data, (b"key",), [17]) == [(6, 16)]
    assert lines_of_ends(data, data, (b"key",), [2]) == []  # no keyword on that line


def test_a_rule_anchored_at_a_line_start_is_found_on_any_line() -> None:
    text = (
        "[[rule]]\nid = 'line-start'\ntitle = 't'\n"
        "regex = '''^API_KEY=(?P<secret>[A-Za-z0-9]{16})'''\nsecret_group = 'secret'\n"
        "keywords = ['api_key']\nflag = ['API_KEY=@@alnum:16@@']\nskip = ['x']\n"
    )
    matcher = Matcher(parse_ruleset(text, "rules.toml"))
    data = b"# settings\nAPI_KEY=" + expand("@@alnum:16@@", "anchor").encode() + b"\n"
    assert [m.rule.id for m in matcher.find(data, "app.env")] == ["line-start"]
