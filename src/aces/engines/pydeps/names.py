"""Which import names a Python distribution provides, without installing it.

A distribution's import name is its normalised name with ``-`` and ``.`` as
``_`` (``prometheus-client`` -> ``prometheus_client``), except for the
well-known differences in ``KNOWN`` (``PyYAML`` -> ``yaml``). A ``python-`` /
``py`` prefix or a ``-python`` / ``-py`` suffix is also tried (``python-dotenv``
-> ``dotenv``), and a distribution named ``<ns>-<rest>`` provides the namespace
``<ns>`` (``opentelemetry-sdk`` -> ``opentelemetry``, ``google-cloud-storage`` ->
``google``). The guesses err towards "declared": a wrong guess hides a finding,
it never invents one.
"""

from __future__ import annotations

import re

KNOWN: dict[str, tuple[str, ...]] = {
    "pyyaml": ("yaml",),
    "protobuf": ("google",),
    "grpcio": ("grpc",),
    "grpcio-tools": ("grpc_tools",),
    "grpcio-status": ("grpc_status",),
    "grpcio-health-checking": ("grpc_health",),
    "pillow": ("PIL",),
    "beautifulsoup4": ("bs4",),
    "scikit-learn": ("sklearn",),
    "scikit-image": ("skimage",),
    "python-dateutil": ("dateutil",),
    "opencv-python": ("cv2",),
    "opencv-python-headless": ("cv2",),
    "pyjwt": ("jwt",),
    "attrs": ("attr", "attrs"),
    "psycopg2-binary": ("psycopg2",),
    "python-multipart": ("multipart", "python_multipart"),
    "websocket-client": ("websocket",),
    "pyzmq": ("zmq",),
    "pycryptodome": ("Crypto",),
    "pycryptodomex": ("Cryptodome",),
    "google-re2": ("re2",),
    "pyahocorasick": ("ahocorasick",),
    "hdrhistogram": ("hdrh",),
    "cyclonedx-python-lib": ("cyclonedx",),
    "nats-py": ("nats",),
    "msgpack-python": ("msgpack",),
    "pymysql": ("pymysql",),
    "mysqlclient": ("MySQLdb",),
    "setuptools": ("setuptools", "pkg_resources"),
    "typing-extensions": ("typing_extensions",),
    "dnspython": ("dns",),
    "pyopenssl": ("OpenSSL",),
    "pysocks": ("socks",),
    "python-jose": ("jose",),
    "python-json-logger": ("pythonjsonlogger",),
    "ruamel-yaml": ("ruamel",),
    "docker-py": ("docker",),
    "faiss-cpu": ("faiss",),
    "tensorflow-cpu": ("tensorflow",),
    "torch": ("torch",),
    "jinja2": ("jinja2",),
    "markupsafe": ("markupsafe",),
    "pyserial": ("serial",),
    "pywin32": ("win32api", "win32con", "pywintypes"),
    "sentry-sdk": ("sentry_sdk",),
    "email-validator": ("email_validator",),
}
_PEP503 = re.compile(r"[-_.]+")


def normalise(name: str) -> str:
    """PEP 503 normalised distribution name (``Foo_Bar`` -> ``foo-bar``)."""
    return _PEP503.sub("-", name).lower()


def import_names(distribution: str) -> frozenset[str]:
    """The top-level import names ``distribution`` may provide (lower-cased)."""
    name = normalise(distribution)
    found = {n.lower() for n in KNOWN.get(name, ())}
    base = name.replace("-", "_")
    found.add(base)
    for prefix in ("python-", "py-", "py"):
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            found.add(name[len(prefix) :].replace("-", "_"))
    for suffix in ("-python", "-py", "-binary", "-client"):
        if name.endswith(suffix):
            found.add(name[: -len(suffix)].replace("-", "_"))
    if "-" in name:
        found.add(name.split("-", 1)[0])
    return frozenset(found)
