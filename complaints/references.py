"""Reference numbers: short, read aloud without confusion, checked, random and unique.

The alphabet leaves out 0/O and 1/I/L so that what a complainant reads over the phone is what the
handler types. It has 31 symbols, a prime, so a weighted sum modulo 31 with weights
1..9 catches every single wrong character (a weight is never a multiple of 31) and every swap of two
neighbours (neighbouring weights differ by one). Eight random symbols give 31**8 (about 8.5e11)
numbers: sparse enough that a reference reveals nothing about volume and cannot be guessed.
"""

from __future__ import annotations

import random
import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
BASE = len(ALPHABET)
DATA_LENGTH = 8
GROUP = 3
_VALUES = {symbol: value for value, symbol in enumerate(ALPHABET)}

assert BASE == 31, "the check character relies on a prime alphabet size"


def check_character(data: str) -> str:
    """Return the symbol that makes the weighted sum of `data` and itself divisible by 31."""
    total = sum(weight * _VALUES[symbol] for weight, symbol in enumerate(data, start=1))
    weight = len(data) + 1
    # Solve total + weight * c ≡ 0 (mod 31); pow(weight, -1, 31) is the modular inverse.
    return ALPHABET[(-total * pow(weight, -1, BASE)) % BASE]


def generate(rng: random.Random | None = None) -> str:
    """Return a new reference in its compact form (nine symbols, the last one the check)."""
    rng = rng or secrets.SystemRandom()
    data = "".join(rng.choice(ALPHABET) for _ in range(DATA_LENGTH))
    return data + check_character(data)


def normalise(text: str) -> str:
    """Return `text` as a compact reference: upper case, without separators or spaces."""
    return "".join(ch for ch in text.upper() if ch.isalnum())


def is_valid(text: str) -> bool:
    compact = normalise(text)
    if len(compact) != DATA_LENGTH + 1 or any(ch not in _VALUES for ch in compact):
        return False
    return check_character(compact[:-1]) == compact[-1]


def display(compact: str) -> str:
    """Return the reference grouped for reading aloud: K7Q-M4X-H9P."""
    return "-".join(compact[i : i + GROUP] for i in range(0, len(compact), GROUP))
