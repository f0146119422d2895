"""Compose and Kubernetes manifests, dotenv files and the text rules' file-level heuristics."""

from __future__ import annotations

from aces.engines.exposure import scan_env, scan_exposure, scan_manifest

COMPOSE = """services:
  bus:
    image: bus
    privileged: true
    network_mode: host
    cap_add: [ALL]
    ports:
      - "8080:80"
      - "127.0.0.1:9000:9000"
      - target: 80
        published: 8443
"""
KUBE = """apiVersion: v1
kind: Service
metadata: {name: bus}
spec:
  type: NodePort
  ports:
    - port: 80
      nodePort: 30080
---
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  hostPID: true
  containers:
    - name: c
      ports: [{containerPort: 80, hostPort: 81}]
"""


def hits(found: list) -> list[tuple[str, int, str]]:  # type: ignore[type-arg]
    return [(h.rule_id.rsplit(".", 1)[-1], h.line, h.message) for h in found]


def test_compose_privileges_and_ports() -> None:
    assert hits(scan_manifest("compose.yaml", COMPOSE, [8443])) == [
        ("privileged", 4, "the container runs privileged"),
        ("host-network", 5, "the container shares the host's network"),
        ("cap-all", 6, "the container is granted every capability (ALL)"),
        (
            "port",
            8,
            "service 'bus' exposes port 8080, not in [security.exposure] allowed_ports (8443)",
        ),
    ]


def test_kubernetes_services_and_host_ports() -> None:
    assert hits(scan_manifest("k8s.yaml", KUBE, [80])) == [
        (
            "port",
            8,
            "NodePort Service nodePort exposes port 30080, not in [security.exposure] "
            "allowed_ports (80)",
        ),
        ("host-namespace", 14, "the container shares the host's hostPID"),
        ("port", 17, "Pod hostPort exposes port 81, not in [security.exposure] allowed_ports (80)"),
    ]


def test_other_yaml_and_broken_yaml() -> None:
    assert scan_manifest("sm.yaml", "states: [a, b]\nprivileged: true\n", []) == []
    assert hits(scan_manifest("bad.yaml", "a: [\n", [])) == [
        (
            "unreadable",
            2,
            "YAML does not parse: expected the node content, but found '<stream end>'",
        )
    ]


def test_env_secret_never_shows_the_value() -> None:
    found = scan_env(".env", "LOG=info\nDB_PASSWORD=hunter2\n")
    assert hits(found) == [
        ("env-secret", 2, "committed env file sets DB_PASSWORD to a literal value")
    ]
    assert "hunter2" not in found[0].message


def test_bind_all_is_cleared_by_an_auth_mechanism_and_cors_notes_credentials() -> None:
    server = 'app.run(host="0.0.0.0")\n'
    assert hits(scan_exposure("app.py", server)) == [
        (
            "bind-all",
            1,
            "a server binds to every interface with no authentication in sight"
            " (`host=` of `run(..)`)",
        )
    ]
    assert scan_exposure("app.py", "from .auth import require_token\n" + server) == []
    cors = 'app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True)\n'
    assert hits(scan_exposure("app.py", cors)) == [
        ("cors-wildcard", 1, "CORS allows every origin, with credentials")
    ]


INTERPOLATED = """services:
  api:
    ports:
      - "${API_PORT:-4000}:${API_PORT:-4000}"
      - "${ADMIN_BIND-127.0.0.1}:9000:9000"
      - "${METRICS_PORT}:9100"
      - target: 80
        published: ${WEB_PORT:-8081}
"""


def test_compose_interpolation_defaults_are_read_and_a_bare_variable_is_not() -> None:
    found = hits(scan_manifest("compose.yml", INTERPOLATED, [8080]))
    assert [(rule, line) for rule, line, _ in found] == [("port", 4), ("port", 6), ("port", 7)]
    assert "exposes port 4000" in found[0][2]
    assert "cannot read" in found[1][2]
    assert "exposes port 8081" in found[2][2]
