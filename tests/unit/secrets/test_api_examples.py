"""The example lines of an OpenAPI / Swagger description, and no others."""

from __future__ import annotations

from aces.engines.secrets.api_examples import example_lines, is_api_description

SPEC = b"""openapi: 3.1.0
components:
  securitySchemes:
    token:
      type: http
  schemas:
    Login:
      properties:
        password:
          type: string
          example: hunter42
        session:
          examples:
            - abc
            - def
      x-example:
        password: s3cr3t
  headers:
    X-Key:
      description: key
"""


def test_example_keys_and_what_they_hold_are_example_lines() -> None:
    assert example_lines("api/openapi.yaml", SPEC) == frozenset({11, 13, 14, 15, 16, 17})


def test_a_file_that_is_no_api_description_has_none() -> None:
    plain = b"service:\n  example: hunter42\n"
    assert not is_api_description("config/app.yaml", plain)
    assert example_lines("config/app.yaml", plain) == frozenset()
    assert example_lines("api/openapi.md", SPEC) == frozenset()


def test_swagger_json_members_and_one_line_mappings() -> None:
    spec = (
        b'{\n  "swagger": "2.0",\n  "definitions": {\n    "T": {\n'
        b'      "example": {\n        "token": "x"\n      },\n'
        b'      "key": "y",\n      "p": {"type": "string", "example": "z"}\n    }\n  }\n}\n'
    )
    assert example_lines("swagger.json", spec) == frozenset({5, 6, 9})


CODE = b"""class Login(BaseModel):
    token: str = Field(..., example="Bearer t")
    password: str = Field(..., min_length=8)
    model_config = {
        "json_schema_extra": {
            "examples": [
                {"token": "t"},
            ]
        }
    }
    secret = "s"
    example_count = 3
    if example == token:
        pass
"""


def test_examples_of_an_api_description_written_in_code() -> None:
    assert example_lines("src/app/models.py", CODE) == frozenset({2, 6, 7})
    java = b'    @Schema(example = "Bearer t")\n    private String token;\n'
    assert example_lines("src/main/java/Auth.java", java) == frozenset({1})
    ts = b"  @ApiProperty({ example: 't' })\n  token!: string;\n"
    assert example_lines("web/auth.dto.ts", ts) == frozenset({1})
