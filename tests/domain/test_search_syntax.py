"""Shopify's search syntax as its public page writes it (https://shopify.dev/docs/api/usage/search-syntax):
quoted values, comparators, connectives, modifiers and grouping, parsed into the tree every listing applies."""

from __future__ import annotations

import pytest

from bulkops.domain.search_syntax import AllOf, AnyOf, Term, parse_query, parse_search


@pytest.mark.parametrize("query", [
    "updated_at:>='2025-11-01T00:00:00+00:00'",
    'updated_at:>="2025-11-01T00:00:00+00:00"',
    "updated_at:>=2025-11-01T00:00:00+00:00",
])
def test_a_quoted_value_loses_its_quotes_after_a_comparator(query: str) -> None:
    term = parse_query(query)

    assert isinstance(term, Term)
    assert (term.field, term.comparator, term.value) == ("updated_at", ">=", "2025-11-01T00:00:00+00:00")


@pytest.mark.parametrize(("query", "comparator"), [
    ("created_at:>2020", ">"), ("created_at:>=2020", ">="), ("created_at:<2020", "<"),
    ("created_at:<=2020", "<="), ("created_at:2020", "="),
])
def test_each_comparator(query: str, comparator: str) -> None:
    assert parse_search(query) == [Term("created_at", comparator, "2020")]


def test_a_quoted_phrase_is_one_value_with_its_spaces() -> None:
    assert parse_search("tag:'Custom Shipping Rate' title:\"Two words\"") == [
        Term("tag", "=", "Custom Shipping Rate", quoted=True), Term("title", "=", "Two words", quoted=True)]


def test_implied_and_and_or_binding_its_neighbours() -> None:
    """``bob OR norman AND Shopify``: either bob or norman, and Shopify."""
    bob, norman, shopify = Term(None, "=", "bob"), Term(None, "=", "norman"), Term(None, "=", "Shopify")

    assert parse_query("bob OR norman AND Shopify") == AllOf((AnyOf((bob, norman)), shopify))
    assert parse_query("bob OR norman Shopify") == AllOf((AnyOf((bob, norman)), shopify))


def test_parentheses_group_terms() -> None:
    assert parse_query("(vendor:a OR vendor:b) AND (tag:x OR tag:y)") == AllOf((
        AnyOf((Term("vendor", "=", "a"), Term("vendor", "=", "b"))),
        AnyOf((Term("tag", "=", "x"), Term("tag", "=", "y"))),
    ))


def test_not_and_minus_negate_and_a_negated_group_is_pushed_to_its_terms() -> None:
    assert parse_query("-tag:x") == Term("tag", "=", "x", negated=True)
    assert parse_query("NOT tag:x") == Term("tag", "=", "x", negated=True)
    assert parse_query("NOT (tag:x OR tag:y)") == AllOf((Term("tag", "=", "x", negated=True),
                                                         Term("tag", "=", "y", negated=True)))
    assert parse_query("-(tag:x tag:y)") == AnyOf((Term("tag", "=", "x", negated=True),
                                                  Term("tag", "=", "y", negated=True)))


def test_exists_prefix_and_escaped_special_characters() -> None:
    exists, prefix, escaped = parse_search(r"sku:* title:Boar* title:D\'Addario\:\(x\)")

    assert exists.exists and not prefix.exists
    assert prefix.prefix == "Boar"
    assert escaped.value == "D'Addario:(x)"
    assert Term("title", "=", "*", quoted=True).exists is False


def test_a_global_id_keeps_its_colons() -> None:
    assert parse_search("id:gid://shopify/Product/1") == [Term("id", "=", "gid://shopify/Product/1")]


@pytest.mark.parametrize("query", ["tag:x )", "( tag:x", "tag:x OR", "AND tag:x", "tag:x NOT", "- tag:x"])
def test_stray_connectives_and_parentheses_are_skipped(query: str) -> None:
    assert parse_search(query) == [Term("tag", "=", "x")]


def test_nothing_to_search() -> None:
    assert parse_query("") is None
    assert parse_query("  ( ) AND ") is None
