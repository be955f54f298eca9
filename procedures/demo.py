"""Demo procedures (placeholder, filled by the catalogue work)."""


def seed(*, agency) -> int:
    return 0
