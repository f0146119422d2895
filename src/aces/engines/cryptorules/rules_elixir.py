"""The crypto-misuse rules of Elixir code (``:crypto``, ``:rand``, ``:public_key``)."""

from __future__ import annotations

from aces.engines.cryptorules.model import KEY_NAME, CryptoRule, P

ELIXIR_RULES: tuple[CryptoRule, ...] = (
    CryptoRule(
        f"{P}.weak-hash",
        "elixir",
        """
        ((call target: (dot left: (atom) @m right: (identifier) @f) (arguments . (atom) @a)) @hit
          (#eq? @m ":crypto") (#any-of? @f "hash" "hash_init") (#any-of? @a ":md5" ":sha" ":md4"))
        """,
        "MD5 / SHA-1 used where security depends on it",
        should_flag=("h = :crypto.hash(:md5, data)", "h = :crypto.hash(:sha, data)"),
        should_not_flag=("h = :crypto.hash(:sha256, data)",),
    ),
    CryptoRule(
        f"{P}.ecb",
        "elixir",
        '((atom) @hit (#match? @hit "^:(aes_(128_|192_|256_)?ecb|des_ecb|blowfish_ecb)$"))',
        "ECB mode leaks the structure of the plaintext",
        should_flag=(":crypto.crypto_one_time(:aes_128_ecb, key, data, true)",),
        should_not_flag=(":crypto.crypto_one_time(:aes_256_gcm, key, iv, data, true)",),
    ),
    CryptoRule(
        f"{P}.static-iv",
        "elixir",
        """
        ((call target: (dot left: (atom) @m right: (identifier) @f)
               (arguments . (_) . (_) . [(string) (bitstring) (charlist)])) @hit
          (#eq? @m ":crypto") (#any-of? @f "crypto_one_time" "crypto_one_time_aead" "crypto_init"))
        """,
        "a literal IV / nonce: it repeats on every encryption",
        should_flag=(
            ':crypto.crypto_one_time_aead(:aes_256_gcm, key, "000000000000", data, "", true)',
            ":crypto.crypto_one_time(:aes_256_cbc, key, <<0::128>>, data, true)",
        ),
        should_not_flag=(":crypto.crypto_one_time_aead(:aes_256_gcm, key, iv, data, aad, true)",),
    ),
    CryptoRule(
        f"{P}.hardcoded-key",
        "elixir",
        """
        ((call target: (dot left: (atom) @m right: (identifier) @f)
               (arguments . (_) . [(string) (bitstring) (charlist)])) @hit
          (#eq? @m ":crypto") (#any-of? @f "crypto_one_time" "crypto_one_time_aead" "crypto_init"))
        ((call target: (dot left: (atom) @m right: (identifier) @f)
               (arguments . (_) . (_) . [(string) (bitstring) (charlist)])) @hit
          (#eq? @m ":crypto") (#eq? @f "mac"))
        """,
        "a hard-coded key: anyone with the source has it",
        should_flag=(
            ':crypto.crypto_one_time(:aes_256_cbc, "0123456789abcdef01234567", iv, d, true)',
            ':crypto.mac(:hmac, :sha256, "secret", data)',
        ),
        should_not_flag=(
            ":crypto.crypto_one_time(:aes_256_cbc, key, iv, d, true)",
            ":crypto.mac(:hmac, :sha256, key, data)",
        ),
    ),
    CryptoRule(
        f"{P}.weak-random",
        "elixir",
        # The draw is the value (or piped / converted into it); a draw that is one element
        # of a tuple, list or map is part of a composite lookup key, not key material.
        '((binary_operator left: (identifier) @n operator: "=" right: [(call) (binary_operator)])'
        f' @hit (#match? @n "{KEY_NAME}"))',
        "key material from :rand, which is not a CSPRNG (use :crypto.strong_rand_bytes)",
        requires=(r":rand\.|:random\.|Enum\.random\(",),
        should_flag=(
            "token = :rand.uniform(1_000_000_000)",
            "key = Enum.random(1..1000)",
            "secret = :rand.bytes(16) |> Base.encode64()",
        ),
        should_not_flag=(
            "token = :crypto.strong_rand_bytes(32)",
            "jitter = :rand.uniform(100)",
            "key = {id, tags, :rand.uniform(partitions)}",
        ),
    ),
    CryptoRule(
        f"{P}.rsa-key-size",
        "elixir",
        '((tuple . (atom) @a . (integer) @num) @hit (#eq? @a ":rsa"))',
        "RSA key smaller than the policy's minimum",
        size_capture="num",
        should_flag=("key = :public_key.generate_key({:rsa, 1024, 65537})",),
        should_not_flag=("key = :public_key.generate_key({:rsa, 4096, 65537})",),
    ),
    CryptoRule(
        f"{P}.mac-compare",
        "elixir",
        '((binary_operator operator: ["==" "!=" "===" "!=="]) @hit)',
        "a MAC / digest compared with ==: use Plug.Crypto.secure_compare (constant time)",
        unless=r"byte_size\(|secure_compare",
        digest_flow=True,
        should_flag=(
            "valid = :crypto.mac(:hmac, :sha256, k, m) == given",
            "expected = :crypto.mac(:hmac, :sha256, k, m)\nif signature == expected, do: :ok",
        ),
        should_not_flag=(
            "valid = Plug.Crypto.secure_compare(signature, expected)",
            "if byte_size(signature) == 32, do: :ok",
            "if signature == expected, do: :ok",
        ),
    ),
)
