"""Reference numbers: readable, checked, random, unique."""

import random

import pytest

from complaints import references, services
from complaints.choices import Channel
from complaints.models import Complaint


def test_the_alphabet_has_no_ambiguous_symbols_and_a_prime_size():
    assert not set("01OIL") & set(references.ALPHABET)
    assert len(references.ALPHABET) == 31 == len(set(references.ALPHABET))


def test_a_reference_reads_in_three_groups_and_carries_a_valid_check_symbol():
    reference = references.generate()
    assert len(reference) == 9 and set(reference) <= set(references.ALPHABET)
    assert references.is_valid(reference)
    shown = references.display(reference)
    assert len(shown) == 11 and shown.count("-") == 2
    assert references.is_valid(shown.lower()) and references.normalise(shown) == reference


@pytest.mark.parametrize("seed", range(20))
def test_the_check_symbol_catches_every_single_wrong_symbol(seed):
    reference = references.generate(random.Random(seed))
    for position, symbol in enumerate(reference):
        for wrong in references.ALPHABET:
            if wrong != symbol:
                typo = reference[:position] + wrong + reference[position + 1 :]
                assert not references.is_valid(typo), typo


@pytest.mark.parametrize("seed", range(20))
def test_the_check_symbol_catches_every_swap_of_two_neighbours(seed):
    reference = references.generate(random.Random(seed))
    for position in range(len(reference) - 1):
        first, second = reference[position], reference[position + 1]
        if first != second:
            swapped = reference[:position] + second + first + reference[position + 2 :]
            assert not references.is_valid(swapped), swapped


def test_a_hundred_thousand_references_do_not_collide():
    rng = random.Random(20261120)
    drawn = [references.generate(rng) for _ in range(100_000)]
    assert len(set(drawn)) == 100_000
    # They are spread over the whole alphabet in every position, not sequential.
    assert all(len({ref[i] for ref in drawn}) == 31 for i in range(8))


def test_malformed_references_are_invalid():
    for text in ["", "ABC", "ABC-DEF-GH0", "ABCDEFGHJKM", "A!C-DEF-GHJ"]:
        assert not references.is_valid(text)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["one statement", "savepoint"])
def test_a_clashing_reference_is_drawn_again(policy, monkeypatch, path):
    if path == "savepoint":
        # The portable path (SQLite), run here on PostgreSQL.
        monkeypatch.setattr(services, "_insert_with_history", services._insert_in_savepoint)
    first = services.complaint_submit(
        channel=Channel.WEB, complainant_name="Ann", description="One."
    )
    fresh = references.generate(random.Random(1))
    draws = iter([first.reference, first.reference, fresh])
    monkeypatch.setattr(references, "generate", lambda rng=None: next(draws))
    second = services.complaint_submit(
        channel=Channel.WEB, complainant_name="Bob", description="Two."
    )
    assert second.reference == fresh
    assert Complaint.objects.count() == 2
    # One history row per complaint, the drawn-again one included.
    assert [row.reference for row in second.history.all()] == [fresh]


@pytest.mark.django_db
def test_a_new_complaint_is_in_its_history_as_it_was_stored(policy):
    case = services.complaint_submit(
        channel=Channel.WEB,
        complainant_name="Ann",
        complainant_email="ann@example.com",
        description="Charged twice.",
    )
    stored = Complaint.objects.get(pk=case.pk)
    [row] = case.history.all()
    assert (row.history_type, row.history_user, row.history_change_reason) == ("+", None, None)
    tracked = [field.attname for field in row._meta.concrete_fields]
    tracked = [name for name in tracked if not name.startswith("history_")]
    assert len(tracked) > 40
    assert {name: getattr(row, name) for name in tracked} == {
        name: getattr(stored, name) for name in tracked
    }
    assert row.instance.reference == stored.reference
