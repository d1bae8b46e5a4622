from pathlib import Path

import pytest
from django.conf import settings

DATA = Path(__file__).resolve().parent / "data"
SEEDS = Path(settings.BASE_DIR) / "seeds"

# Samples the decoder refuses, with the reason code each gets.
DECODE_REJECTIONS = [
    ("empty.txt", "empty"),
    ("blank.txt", "blank"),
    ("image.png", "binary"),
    ("nul_bytes.txt", "binary"),
    ("undecodable.txt", "undecodable"),
]


@pytest.fixture
def data_file():
    """The bytes of a hand-made sample in tests/data."""
    return lambda name: (DATA / name).read_bytes()


def seed_path(number: int) -> Path:
    """The path of real seed ``number`` (0-4)."""
    return next(SEEDS.glob(f"{number:03d}_*.txt"))
