"""The crypto-misuse rules, as data: a tree-sitter query per rule, with its samples.

Each query captures ``@hit`` (where the finding points); ``requires`` are
regular expressions that must all match the text of ``@hit``, ``unless`` one
that must not; ``size_capture`` names an integer capture that must be below
the policy's minimum RSA modulus; ``via_capture`` names an identifier capture that
must be bound to a literal in the file (the finding then points at the literal).
``should_flag`` / ``should_not_flag`` are source snippets the tests run through the
scanner.
"""

from __future__ import annotations

from aces.engines.cryptorules.keys import (
    KEY_MESSAGE,
    PYTHON_KEY_QUERY,
    PYTHON_VIA_QUERY,
    RUST_KEY_QUERY,
    RUST_VIA_QUERY,
)
from aces.engines.cryptorules.model import KEY_NAME, CryptoRule, P
from aces.engines.cryptorules.rules_elixir import ELIXIR_RULES

__all__ = ["CRYPTO_RULES", "ELIXIR_RULES", "PYTHON_RULES", "RUST_RULES", "CryptoRule"]


PYTHON_RULES: tuple[CryptoRule, ...] = (
    CryptoRule(
        f"{P}.weak-hash",
        "python",
        """
        ((call function: (attribute object: (identifier) @m attribute: (identifier) @f)) @hit
          (#eq? @m "hashlib") (#any-of? @f "md5" "sha1"))
        ((call function: (attribute object: (identifier) @m attribute: (identifier) @f)
               arguments: (argument_list . (string) @s)) @hit
          (#eq? @m "hashlib") (#eq? @f "new") (#match? @s "^[\\"'](?i:md5|sha1)[\\"']$"))
        ((call function: (attribute attribute: (identifier) @f)) @hit (#any-of? @f "MD5" "SHA1"))
        """,
        "MD5 / SHA-1 used where security depends on it",
        unless=r"usedforsecurity\s*=\s*False",
        should_flag=(
            "h = hashlib.md5(data).hexdigest()",
            "hashlib.sha1(password)",
            'hashlib.new("md5")',
            "digest = hashes.Hash(hashes.SHA1())",
        ),
        should_not_flag=(
            "h = hashlib.md5(data, usedforsecurity=False)",
            "hashlib.sha256(data)",
            'hashlib.new("sha256")',
        ),
    ),
    CryptoRule(
        f"{P}.ecb",
        "python",
        '((attribute attribute: (identifier) @a) @hit (#any-of? @a "ECB" "MODE_ECB"))',
        "ECB mode leaks the structure of the plaintext",
        should_flag=("Cipher(algorithms.AES(k), modes.ECB())", "AES.new(k, AES.MODE_ECB)"),
        should_not_flag=("Cipher(algorithms.AES(k), modes.GCM(iv))",),
    ),
    CryptoRule(
        f"{P}.static-iv",
        "python",
        """
        ((keyword_argument name: (identifier) @k value: (string (string_content))) @hit
          (#any-of? @k "iv" "IV" "nonce" "initial_value"))
        ((call function: (attribute attribute: (identifier) @f)
               arguments: (argument_list . (string (string_content)))) @hit
          (#any-of? @f "CBC" "GCM" "CTR" "OFB" "CFB" "CFB8"))
        ((assignment left: (identifier) @n
                     right: [(string (string_content)) (binary_operator left: (string))]) @hit
          (#match? @n "^(?i:iv|nonce)$"))
        """,
        "a literal IV / nonce: it repeats on every encryption",
        should_flag=(
            'AES.new(key, AES.MODE_GCM, nonce=b"0123456789ab")',
            'modes.CBC(b"0000000000000000")',
            'iv = b"\\x00" * 16',
        ),
        should_not_flag=(
            "AES.new(key, AES.MODE_GCM, nonce=os.urandom(12))",
            "modes.CBC(os.urandom(16))",
            "iv = secrets.token_bytes(16)",
        ),
    ),
    CryptoRule(
        f"{P}.hardcoded-key",
        "python",
        PYTHON_KEY_QUERY,
        KEY_MESSAGE,
        should_flag=(
            'hmac.new(b"s3cr3t", msg, hashlib.sha256)',
            'cipher = AES.new(b"0123456789abcdef", AES.MODE_GCM)',
            'token = jwt.encode(payload, "secret", algorithm="HS256")',
            'SECRET_KEY = "django-insecure-abc"',
            'app.config["SECRET_KEY"] = "dev"',
            'f = Fernet(key=b"abc")',
        ),
        should_not_flag=(
            "hmac.new(key, msg, hashlib.sha256)",
            'SECRET_KEY = os.environ["SECRET_KEY"]',
            'SECRET_KEY = ""',
            'jwt.encode(payload, key, algorithm="HS256")',
            'FORMAT_KEY = "aces_coverage_baseline"',
            'dest_key = f"{a}:{b}"',
            'value = cache.get(key="user:1")',
        ),
    ),
    CryptoRule(
        f"{P}.hardcoded-key",
        "python",
        PYTHON_VIA_QUERY,
        KEY_MESSAGE,
        via_capture="via",
        should_flag=(
            'SIGNING = b"s3cr3t"\nmac = hmac.new(SIGNING, msg, hashlib.sha256)',
            'JWT_KEY = "k"\ntoken = jwt.encode(payload, JWT_KEY, algorithm="HS256")',
            'SECRET = "k"\nmac = hmac.new(SECRET.encode(), msg, "sha256")',
            'KEY = b"0123456789abcdef0123456789abcdef"\nf = Fernet(key=KEY)',
        ),
        should_not_flag=(
            'FORMAT_KEY = "aces_coverage_baseline"\nrow = data[FORMAT_KEY]',
            'KEY = os.environ["K"]\nmac = hmac.new(KEY, msg, "sha256")',
            'KEY = f"{a}:{b}"\nmac = hmac.new(KEY.encode(), msg, "sha256")',
        ),
    ),
    CryptoRule(
        f"{P}.weak-random",
        "python",
        f"""
        ((assignment left: (identifier) @n right: (_)) @hit (#match? @n "{KEY_NAME}"))
        """,
        "key material from the random module, which is not a CSPRNG (use secrets)",
        requires=(r"\brandom\.(?!SystemRandom)\w+\(",),
        should_flag=(
            "token = ''.join(random.choice(ALPHABET) for _ in range(32))",
            "session_key = random.getrandbits(128)",
            "api_token = random.randbytes(16)",
        ),
        should_not_flag=(
            "token = secrets.token_hex(16)",
            "delay = random.uniform(0, 1)",
            "key = random.SystemRandom().getrandbits(128)",
        ),
    ),
    CryptoRule(
        f"{P}.jwt-no-verify",
        "python",
        """
        ((pair key: (string) @k value: (false)) @hit (#match? @k "verify_signature"))
        ((keyword_argument name: (identifier) @k value: (list (string) @s)) @hit
          (#eq? @k "algorithms") (#match? @s "^[\\"'](?i:none)[\\"']$"))
        """,
        "JWT signature verification is disabled",
        should_flag=(
            'jwt.decode(t, options={"verify_signature": False})',
            'jwt.decode(t, key, algorithms=["none"])',
        ),
        should_not_flag=(
            'jwt.decode(t, key, algorithms=["HS256"])',
            'jwt.decode(t, key, options={"verify_signature": True})',
        ),
    ),
    CryptoRule(
        f"{P}.rsa-key-size",
        "python",
        """
        ((keyword_argument name: (identifier) @k value: (integer) @num) @hit
          (#any-of? @k "key_size" "bits"))
        ((call function: (attribute object: (identifier) @o attribute: (identifier) @f)
               arguments: (argument_list . (integer) @num)) @hit
          (#any-of? @o "RSA" "rsa") (#any-of? @f "generate" "newkeys"))
        """,
        "RSA key smaller than the policy's minimum",
        size_capture="num",
        should_flag=(
            "rsa.generate_private_key(public_exponent=65537, key_size=1024)",
            "RSA.generate(1024)",
        ),
        should_not_flag=(
            "rsa.generate_private_key(public_exponent=65537, key_size=3072)",
            "RSA.generate(4096)",
        ),
    ),
    CryptoRule(
        f"{P}.mac-compare",
        "python",
        "((comparison_operator) @hit)",
        "a MAC / digest compared with ==: use hmac.compare_digest (constant time)",
        requires=(r"==|!=",),
        unless=r"\blen\(|\bis\s+None\b|compare_digest",
        digest_flow=True,
        should_flag=(
            "if hmac.new(k, m, sha256).hexdigest() == received: pass",
            "signature = hmac.digest(k, m, 'sha256')\nok = signature == expected",
            "computed = hashlib.sha256(m).hexdigest()\nwant = computed\n"
            "if request_mac != want: abort()",
        ),
        should_not_flag=(
            "ok = hmac.compare_digest(signature, expected)",
            "mac = hmac.new(k, m, 'sha256').digest()\nif len(mac) == 64: pass",
            "if count == 3: pass",
            # a word is no MAC: a function type's signature compared with the expected one
            "if (params, results) == signature_of(expected): pass",
            "ok = request_signature == expected_signature",
        ),
    ),
)

RUST_RULES: tuple[CryptoRule, ...] = (
    CryptoRule(
        f"{P}.weak-hash",
        "rust",
        """
        ((scoped_identifier path: (identifier) @p) @hit (#any-of? @p "md5" "sha1" "Md5" "Sha1"))
        ((use_declaration argument: (identifier) @hit) (#any-of? @hit "md5" "sha1"))
        ((scoped_use_list path: (identifier) @p) @hit (#any-of? @p "md5" "sha1"))
        ((scoped_type_identifier path: (identifier) @p) @hit (#any-of? @p "md5" "sha1"))
        """,
        "MD5 / SHA-1 used where security depends on it",
        should_flag=(
            "fn f(d: &[u8]) { let h = md5::compute(d); }",
            "use sha1::{Sha1, Digest};",
            "fn f() { let mut h = Md5::new(); }",
        ),
        should_not_flag=("use sha2::{Sha256, Digest};", "fn f() { let h = Sha256::new(); }"),
    ),
    CryptoRule(
        f"{P}.ecb",
        "rust",
        """
        ((scoped_identifier path: (identifier) @p) @hit (#eq? @p "ecb"))
        ((scoped_type_identifier path: (identifier) @p) @hit (#eq? @p "ecb"))
        ([(identifier) (type_identifier)] @hit (#match? @hit "^Ecb(Encryptor|Decryptor|Mode)?$"))
        """,
        "ECB mode leaks the structure of the plaintext",
        should_flag=(
            "type Aes128EcbEnc = ecb::Encryptor<aes::Aes128>;",
            "fn f() { let c = EcbEncryptor::new(k); }",
        ),
        should_not_flag=("type C = cbc::Encryptor<aes::Aes128>;",),
    ),
    CryptoRule(
        f"{P}.static-iv",
        "rust",
        """
        ((call_expression function: (scoped_identifier path: (_) @p name: (identifier) @f)
            arguments: (arguments . [(string_literal) (raw_string_literal) (array_expression)
                                     (reference_expression value: (array_expression))])) @hit
          (#match? @p "(?i)(nonce|iv)(::)?(<[^>]*>)?$")
          (#any-of? @f "from_slice" "from" "assume_unique_for_key" "new"))
        ((let_declaration pattern: (identifier) @n
                          value: [(string_literal) (array_expression)]) @hit
          (#match? @n "(?i)^(iv|nonce)$"))
        """,
        "a literal IV / nonce: it repeats on every encryption",
        should_flag=(
            'fn f() { let n = Nonce::from_slice(b"unique nonce"); }',
            "fn f() { let n = aead::Nonce::assume_unique_for_key([0u8; 12]); }",
            'fn f() { let nonce = b"012345678901"; }',
        ),
        should_not_flag=(
            "fn f() { let n = Nonce::from_slice(&buf[..12]); }",
            "fn f() { let nonce = Aes256Gcm::generate_nonce(&mut OsRng); }",
        ),
    ),
    CryptoRule(
        f"{P}.hardcoded-key",
        "rust",
        RUST_KEY_QUERY,
        KEY_MESSAGE,
        should_flag=(
            'fn f() { let k = Key::<Aes256Gcm>::from_slice(b"an example very very secret key."); }',
            'fn f() { let m = HmacSha256::new_from_slice(b"my secret").unwrap(); }',
            'fn f() { let k = hmac::Key::new(hmac::HMAC_SHA256, b"secret"); }',
            'fn f() { let k = EncodingKey::from_secret(b"secret"); }',
        ),
        should_not_flag=(
            "fn f() { let k = Key::<Aes256Gcm>::from_slice(&key_bytes); }",
            "fn f() { let m = HmacSha256::new_from_slice(&secret).unwrap(); }",
            'const CACHE_KEY: &str = "frames";',
        ),
    ),
    CryptoRule(
        f"{P}.hardcoded-key",
        "rust",
        RUST_VIA_QUERY,
        KEY_MESSAGE,
        via_capture="via",
        should_flag=(
            'const SIGNING_KEY: &[u8] = b"0123";\n'
            "fn f() { let m = HmacSha256::new_from_slice(SIGNING_KEY); }",
            'const SECRET: &str = "s";\n'
            "fn f() { let k = EncodingKey::from_secret(SECRET.as_bytes()); }",
            "static KEY: [u8; 4] = [1, 2, 3, 4];\nfn f() { let k = Key::from_slice(&KEY); }",
        ),
        should_not_flag=(
            'const CACHE_KEY: &str = "frames";\nfn f(m: &Map) { m.get(CACHE_KEY); }',
            'fn f() { let k = std::env::var("K").unwrap(); let m = Hmac::new_from_slice(&k); }',
        ),
    ),
    CryptoRule(
        f"{P}.weak-random",
        "rust",
        f'((let_declaration pattern: (identifier) @n) @hit (#match? @n "{KEY_NAME}"))',
        "key material from a non-cryptographic or fixed-seed RNG (use OsRng / thread_rng)",
        requires=(r"\b(SmallRng|seed_from_u64|XorShiftRng|Pcg32|Pcg64|fastrand)\b",),
        should_flag=(
            "fn f() { let key: [u8; 32] = StdRng::seed_from_u64(7).gen(); }",
            "fn f() { let token = SmallRng::from_entropy().gen::<u64>(); }",
        ),
        should_not_flag=(
            "fn f() { let key: [u8; 32] = rand::thread_rng().gen(); }",
            "fn f() { let mut rng = SmallRng::seed_from_u64(1); }",
        ),
    ),
    CryptoRule(
        f"{P}.jwt-no-verify",
        "rust",
        "([(identifier) (field_identifier)] @hit "
        '(#eq? @hit "insecure_disable_signature_validation"))',
        "JWT signature verification is disabled",
        should_flag=("fn f() { validation.insecure_disable_signature_validation(); }",),
        should_not_flag=("fn f() { let v = Validation::new(Algorithm::HS256); }",),
    ),
    CryptoRule(
        f"{P}.rsa-key-size",
        "rust",
        """
        ((call_expression function: (scoped_identifier path: (identifier) @p name: (identifier) @f)
            arguments: (arguments (integer_literal) @num)) @hit
          (#any-of? @p "RsaPrivateKey" "Rsa") (#any-of? @f "new" "generate"))
        """,
        "RSA key smaller than the policy's minimum",
        size_capture="num",
        should_flag=(
            "fn f() { let k = RsaPrivateKey::new(&mut rng, 1024); }",
            "fn f() { let k = Rsa::generate(512); }",
        ),
        should_not_flag=("fn f() { let k = RsaPrivateKey::new(&mut rng, 2048); }",),
    ),
    CryptoRule(
        f"{P}.mac-compare",
        "rust",
        "((binary_expression) @hit)",
        "a MAC / digest compared with ==: use a constant-time comparison (subtle, verify_slice)",
        requires=(r"==|!=",),
        unless=r"\.len\(\)|&&|\|\||ct_eq",
        digest_flow=True,
        should_flag=(
            "fn f() { if mac.finalize().into_bytes() == expected { } }",
            "fn f() { let computed = Sha256::digest(m); if signature != computed { return; } }",
        ),
        should_not_flag=(
            "fn f() { mac.verify_slice(&tag).is_ok(); }",
            "fn f() { let tag = mac.finalize(); if tag.len() == 64 { } }",
            "fn f() { if count == 3 { } }",
            "fn f() { if func.signature() == expected_signature { } }",
        ),
    ),
)

CRYPTO_RULES: tuple[CryptoRule, ...] = PYTHON_RULES + RUST_RULES + ELIXIR_RULES
