"""Query expansion from 同义词词林: everyday words find the documents' words, and only strict, small groups."""

from __future__ import annotations

from app.services import Services, build_services
from index.lexical.thesaurus import MAX_GROUP, Thesaurus, load_thesaurus, strict_groups

BORROWED_CAR = "有个副科长向他监管的一家物流公司借了辆车，开了三个月都没还，纪律处分条例怎么处分？"
ARTICLE = "借用管理和服务对象的钱款、住房、车辆"


def test_the_installed_word_list_maps_everyday_words_to_the_documents_words() -> None:
    thesaurus = load_thesaurus()
    expanded = thesaurus.expand(["借", "说情", "踢皮球"], known=lambda word: True)
    assert {"借用", "求情", "推诿"} <= set(expanded)
    assert all(len(word) >= 2 for word in expanded) and set(expanded.values()) == {thesaurus.boost}
    assert "借用" not in thesaurus.expand(["借"], known=lambda word: word != "借用")  # the library lacks it


def test_only_strict_small_groups_are_read() -> None:
    tree = {
        "A": {
            "sub": {
                "01=": ["借", "借用"],
                "02#": ["开会", "集会"],  # related, not synonyms
                "03=": [f"词{i}" for i in range(MAX_GROUP + 1)],  # too big to trust
            }
        }
    }
    thesaurus = Thesaurus(strict_groups(tree))
    assert thesaurus.synonyms == {"借": {"借用"}, "借用": {"借"}}


def test_a_synonym_lifts_the_article_the_question_describes(corpus_services: Services) -> None:
    plain_words = build_services(corpus_services.settings.model_copy(update={"thesaurus_weight": 0.0}))
    assert plain_words.thesaurus() is None and corpus_services.thesaurus() is not None

    def rank(services: Services) -> int:
        hits = services.engine().search(BORROWED_CAR, 100)
        return next(i for i, h in enumerate(hits) if ARTICLE in h.passage.text)

    assert rank(corpus_services) < rank(plain_words)
