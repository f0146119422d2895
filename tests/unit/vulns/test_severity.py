"""CVSS scoring: the v3 formula, the library for v2 / v4, and fail-closed fallbacks."""

from __future__ import annotations

import random

import pytest
from cvss import CVSS3

from aces.engines.vulns.severity import CvssError, advisory_score, cvss3_base_score, vector_score


@pytest.mark.parametrize(
    ("vector", "score"),
    [
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", 9.8),
        ("CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:H/I:H/A:H", 9.9),
        ("CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:C/C:H/I:N/A:N", 6.1),
        ("CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H", 6.2),
        ("CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N", 1.6),
        ("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N", 0.0),
        ("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O", 9.8),
    ],
)
def test_cvss3_base_scores(vector: str, score: float) -> None:
    assert cvss3_base_score(vector) == score


def test_cvss3_formula_agrees_with_the_reference_library_on_random_vectors() -> None:
    values = {"AV": "NALP", "AC": "LH", "PR": "NLH", "UI": "NR", "S": "UC", "C": "HLN"}
    values |= {"I": "HLN", "A": "HLN"}
    rng = random.Random(7)
    for _ in range(500):
        version = rng.choice(("3.0", "3.1"))
        body = "/".join(f"{k}:{rng.choice(v)}" for k, v in values.items())
        vector = f"CVSS:{version}/{body}"
        assert cvss3_base_score(vector) == float(CVSS3(vector).base_score), vector


@pytest.mark.parametrize(
    "vector",
    [
        "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
        "CVSS:3.1/AV:N/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/ZZ:1",
        "CVSS:2.0/AV:N",
        "",
    ],
)
def test_bad_cvss3_vectors_do_not_parse(vector: str) -> None:
    with pytest.raises(CvssError):
        cvss3_base_score(vector)


def test_v4_and_v2_vectors_are_scored_by_the_library() -> None:
    v4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    assert vector_score("CVSS_V4", v4) == 9.3
    assert vector_score("CVSS_V2", "AV:N/AC:L/Au:N/C:P/I:P/A:P") == 7.5
    with pytest.raises(CvssError):
        vector_score("CVSS_V4", "CVSS:4.0/AV:N")


def test_the_highest_vector_wins() -> None:
    score = advisory_score(
        [
            ("CVSS_V3", "CVSS:3.1/AV:P/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"),
            ("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"),
        ],
        "LOW",
    )
    assert (score.value, score.source) == (9.8, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")


def test_a_vector_that_does_not_parse_counts_as_above_zero_with_a_note() -> None:
    score = advisory_score([("CVSS_V3", "CVSS:3.1/AV:X")], "LOW")
    assert score.value is None
    assert score.exceeds(0.0)
    assert score.describe() == (
        "severity unknown (no other vector; vector 'CVSS:3.1/AV:X' does not parse: counted as "
        "above 0)"
    )


def test_severity_level_is_the_fallback() -> None:
    score = advisory_score([], "MODERATE")
    assert (score.value, score.source) == (4.0, "severity level MODERATE")


def test_no_severity_counts_as_above_zero() -> None:
    score = advisory_score([], "")
    assert score.value is None
    assert score.exceeds(0.0)
    assert "counted as above 0" in score.describe()


def test_a_zero_score_does_not_exceed_zero() -> None:
    score = advisory_score([("CVSS_V3", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N")], "")
    assert score.value == 0.0
    assert not score.exceeds(0.0)
