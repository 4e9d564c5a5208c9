"""Finding a case by a reference read over the phone or copied with a slip."""

from __future__ import annotations

from complaints import references


def reference_candidates(text: str) -> set[str]:
    """Return the references `text` may have been meant as.

    The check character catches one wrong symbol or one swap of neighbours, and tells which
    symbol it must have been, so each such slip has exactly one repair per position. A wrong check
    character leaves the eight data symbols intact. Anything else is not a reference at all.
    """
    compact = references.normalise(text)
    data_length = references.DATA_LENGTH
    if len(compact) not in (data_length, data_length + 1) or any(
        symbol not in references.ALPHABET for symbol in compact
    ):
        return set()
    data = compact[:data_length]
    candidates = {data + references.check_character(data)}
    if len(compact) == data_length or references.is_valid(compact):
        return candidates
    for position in range(data_length):
        for symbol in references.ALPHABET:
            repaired = data[:position] + symbol + data[position + 1 :]
            if references.is_valid(repaired + compact[-1]):
                candidates.add(repaired + compact[-1])
        if position + 1 < data_length:
            swapped = data[:position] + data[position + 1] + data[position] + data[position + 2 :]
            if references.is_valid(swapped + compact[-1]):
                candidates.add(swapped + compact[-1])
    return candidates
