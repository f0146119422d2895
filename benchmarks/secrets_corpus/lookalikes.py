"""What looks like a secret and is none: each kind, the places it is written, its values.

Placeholders and references in every assignment spelling; code that names a
credential without holding one; paths, low-entropy words and hashes under
credential names; the example values issuers publish (AWS's ``EXAMPLE`` keys,
the Telegram Bot API's example token) and made-up values in their shapes
(Google API keys, Telegram bot tokens, Slack tokens); tokens of a known prefix
with the wrong length; URLs whose password is a placeholder or a default.
Values are templates (``@@CLASS:N@@``), so a made-up value varies with the seed.
"""

from __future__ import annotations

from secrets_corpus.placements import BY_NAME, NEUTRAL, SPELLINGS, Spelling

S = Spelling
_DEPLOY = {"dotenv", "compose-list", "k8s-env", "dockerfile-env"}
_NON_DEPLOY = tuple(s for s in SPELLINGS if s.name not in _DEPLOY)
_SHELL = tuple(
    BY_NAME[n] for n in ("dotenv", "shell-export", "compose-list", "dockerfile-env", "make-simple")
)
_LINES = (
    S("python-line", "src/app/auth.py", "import os\n\n{v}\n"),
    S("yaml-line", "config/auth.yaml", "auth:\n  {v}\n"),
)
_CODE = (
    S("python-code", "src/app/auth.py", "def login(request):\n    {v}\n"),
    S("js-code", "src/app/auth.js", "export async function login(client) {\n  {v}\n}\n"),
    S("java-code", "src/main/java/app/Auth.java", "class Auth {\n  void run() { {v} }\n}\n"),
    S("go-code", "internal/app/auth.go", "package app\n\nfunc run() {\n\t{v}\n}\n"),
    S("php-code", "src/auth.php", "<?php\n{v}\n"),
)
_BOT = (
    S("bot-python", "src/bot/settings.py", 'TELEGRAM_BOT_TOKEN = "{v}"\n'),
    S("bot-yaml", "config/bot.yaml", "telegram:\n  bot_token: {v}\n"),
    S("bot-env", "deploy/bot.env", "TELEGRAM_BOT_TOKEN={v}\n"),
)
_SLACK = (
    S("slack-yaml", "config/slack.yaml", "slack:\n  config_token: {v}\n"),
    S("slack-python", "src/app/slack.py", 'SLACK_CONFIG_TOKEN = "{v}"\n'),
)
_GOOGLE = (
    S("google-js", "src/firebase.js", 'const firebaseConfig = {\n  apiKey: "{v}",\n};\n'),
    S("google-python", "src/app/maps.py", 'GOOGLE_MAPS_API_KEY = "{v}"\n'),
)

LOOKALIKES: tuple[tuple[str, tuple[Spelling, ...], tuple[str, ...]], ...] = (
    (
        "placeholder",
        SPELLINGS,
        (
            "${API_TOKEN}",
            "<your-api-token>",
            "changeme",
            "xxxxxxxxxxxxxxxx",
            "your-api-token-here",
            "{{ .Values.apiToken }}",
            "********",
            "REPLACE_WITH_API_TOKEN",
        ),
    ),
    ("reference", _SHELL, ("$(cat /run/secrets/api_token)", "$API_TOKEN_FROM_VAULT")),
    (
        "path",
        _NON_DEPLOY[:12],
        ("/run/secrets/api_token", "./secrets/token.txt", "~/.config/app/token"),
    ),
    (
        "low-entropy",
        _NON_DEPLOY,
        ("aaaaaaaabbbbbbbb", "1111222233334444", "abababababababab", "tokentokentoken"),
    ),
    (
        "code",
        _CODE,
        (
            "token = getAccessToken(request)",
            "api_key = settings.API_KEY",
            'password = os.environ["DB_PASSWORD"]',
            "secret = base64.b64encode(rawKey)",
            "const token = process.env.API_TOKEN;",
            "const token = await fetchToken(client);",
            'String password = System.getenv("DB_PASSWORD");',
            'System.setProperty("X_TOKEN", System.getenv("X_TOKEN"));',
            "$this->token->refreshToken();",
            'apiToken := os.Getenv("API_TOKEN")',
            "var apiToken string = cfg.Token",
            "if password == confirmPassword {",
            "password: Optional[str] = None",
            "token = tokens[0]",
            'private static final String TOKEN_HEADER = "Authorization";',
            '{"pwd", PyInit_pwd},',
            "names = ['X509_val_st', 'private_key_st', 'CRYPTO_dynlock']",
            "expected_tokens = [token.NAME, token.EQUAL, token.NUMBER]",
            'INCORRECT_PASSWD = "Incorrect"',
        ),
    ),
    (
        "name-not-secret",
        _LINES,
        (
            "password_hash: @@hex:64@@",
            "token_sha256: @@hex:64@@",
            "secret_name: prod-db-credentials",
            "token_type: bearer",
            "credentials_file: /etc/app/creds.json",
            "password_min_length: 12",
            "token_url: https://auth.internal/oauth/token",
            "token_endpoint: https://auth.internal/oauth2/token",
            "api_key_id: @@alnum:20@@",
            "secret_version: 2024.10.1",
        ),
    ),
    (
        "documented-example",
        (*_LINES, NEUTRAL[0]),
        (
            "aws_access_key_id = AKIAIOSFODNN7EXAMPLE",
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ),
    ),
    (
        "google-key-shape",
        (*_GOOGLE, NEUTRAL[0], NEUTRAL[1]),
        (
            "AIzaSyAbC123dEf456GhI789jKl012-@@b64url:4@@",
            "AIzaSyDOCAbC123dEf456GhI789jKl012-MnO",
            "AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
            "AIza0123456789abcdefghijklmnopqrstuvwxy",
            "AIza_your_google_api_key_goes_here_123",
        ),
    ),
    (
        "telegram-bot-shape",
        _BOT,
        (
            "110201543:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw",
            "123456:ABC-DEF1234ghIkl-zyx57W2v1u123ew11",
            "123456789:ABCdefGHIjklMNOpqrSTUvwxYZ012345678",
            "000000000:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "<bot-id>:<bot-secret>",
        ),
    ),
    (
        "slack-shape",
        (*_SLACK, NEUTRAL[0]),
        (
            "xoxb-your-bot-token",
            "xoxe.xoxp-1-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
            "xoxb-000000000000-0000000000000-xxxxxxxxxxxxxxxxxxxxxxxx",
            "xoxp-123456789012-123456789012-123456789012-abcdef0123456789abcdef0123456789",
            "xoxe-1-<refresh-token>",
            "xoxs-1234-abcdef",
            "xoxb-<workspace-id>-<bot-id>-<secret>",
        ),
    ),
    (
        "wrong-shape",
        NEUTRAL,
        (
            "ghp_@@alnum:20@@",
            "AIza@@b64url:34@@",
            "glpat-@@alnum:12@@",
            "dop_v1_@@hex:40@@",
            "shpat_@@hex:16@@",
            "pul-@@hex:20@@",
            "AGE-SECRET-KEY-1@@bech32:20@@",
            "sk_test_@@alnum:24@@",
            "pk_live_@@alnum:24@@",
            "npm_@@alnum:20@@",
            "rubygems_@@hex:24@@",
            "SK00000000000000000000000000000000",
        ),
    ),
    (
        "url-default",
        NEUTRAL,
        (
            "https://user:password@proxy.internal:8080",
            "amqp://guest:guest@rabbitmq:5672/",
            "postgres://app:${DB_PASSWORD}@db/app",
            "https://deploy:<token>@git.internal/repo.git",
            "redis://:changeme@cache:6379/0",
            "git@github.com:org/repo.git",
            "mysql://root:root@mysql:3306/app",
            "ftp://anonymous:anonymous@ftp.internal/",
        ),
    ),
)
