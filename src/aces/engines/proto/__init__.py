"""The protobuf contract: descriptor images, base vs head, and the ArqonBus ruleset.

``analysis.load_versions`` builds the head and base images of every proto module
with buf; ``model`` indexes them; each module of ``rules`` is one native rule,
a pure function of those indexes; ``golden`` checks recorded envelope bytes.
"""
