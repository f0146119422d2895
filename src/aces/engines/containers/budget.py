"""The final image size against its budget (``build.minimal-image``): a pure comparison."""

from __future__ import annotations


def over_budget(size: int, max_bytes: int) -> str | None:
    """Why an image of ``size`` bytes breaks a budget of ``max_bytes``, or None when within."""
    if size <= max_bytes:
        return None
    over = size - max_bytes
    return (
        f"the final image is {size} bytes, {over} bytes over its budget of {max_bytes} bytes "
        f"({over * 100.0 / max_bytes:.1f}% over)"
    )


def parse_image_size(text: str) -> int:
    """The byte count ``docker image inspect --format {{.Size}}`` printed; ValueError if none."""
    value = text.strip()
    if not value.isdigit():
        raise ValueError(f"expected a byte count, found {value[:80]!r}")
    return int(value)
