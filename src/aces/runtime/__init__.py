"""The live topology of stages 6 and 9-12: NATS, Valkey, Postgres and service replicas.

``topology`` is the model the policy's ``[topology]`` section fills in;
``provider_local.Environment`` starts it on this machine; the ``render_*``
modules write the same topology as Kubernetes, Nomad or Compose manifests.
"""
