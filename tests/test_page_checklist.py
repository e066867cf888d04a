"""The 问题清单 page through AppTest: the 2025 checklist by category, each item with related passages."""

from __future__ import annotations

import time

import app.state
from app import checklist_view as cv
from app.render import safe
from app.services import Services
from tests.page_support import PLAN_2025, library, page, run

__all__ = ["library"]  # the fixture, imported so pytest finds it here

CATEGORIES = ["政策制定执行方面", "服务意识能力方面", "形式主义官僚主义方面", "工作协同方面", "责任担当方面"]


def test_items_grouped_by_category_in_number_order(library: Services) -> None:
    checklists = cv.group(cv.load_entries(library.library()))
    assert len(checklists) == 1
    checklist = checklists[0]
    assert checklist.title == "2025年市直机关作风建设重点问题清单" and checklist.size == 20
    assert [name for name, _ in checklist.categories] == CATEGORIES
    numbers = [e.item.number for _, entries in checklist.categories for e in entries]
    assert numbers == [str(n) for n in range(1, 21)]


def test_related_passages_are_never_items(library: Services) -> None:
    related = cv.related_passages(library)
    assert len(related) == 20
    item9 = f"{PLAN_2025}#28"
    assert related[item9]
    for hits in related.values():
        assert all(h.passage.item is None for h in hits)
        assert len({h.passage.id for h in hits}) == len(hits)
    # Across documents: the 2020 plan or a regulation speaks to 文山会海 too.
    assert any(h.passage.doc_id != PLAN_2025 for h in related[item9])


def test_page_lists_twenty_items_under_five_categories(library: Services) -> None:
    at = run(page("checklist"))
    assert [h.value for h in at.subheader] == CATEGORIES
    items = list(at.expander)  # one per item, nothing else on the page folds
    assert len(items) == 20
    texts = {safe(e.passage.text) for e in cv.load_entries(app.state.services().library())}
    assert {e.label for e in items} == texts

    item9 = next(e for e in items if e.label.startswith("9\\."))
    shown = [m.value for m in item9.markdown]
    heads = [v for v in shown if v.startswith("**") and "《" in v]
    assert heads, shown
    assert not texts & set(shown)  # no related passage is an item itself
    assert any("./library?doc=" in v for v in shown)


def test_second_load_is_served_from_the_cache(library: Services) -> None:
    run(page("checklist"))
    began = time.perf_counter()
    at = run(page("checklist"))
    assert time.perf_counter() - began < 5
    assert len(at.subheader) == 5
