"""Chinese tokenising for lexical search: jieba words (search mode) and character 1-2 grams.

A BM25 engine's default tokenizer (tantivy's, bm25s's) keeps a whole Chinese clause as one
token, so Chinese is configured here, never defaulted: a jieba instance with a user dictionary of
policy terms (curated in corpus/policy_terms.txt plus quoted terms harvested
from the indexed passages), Chinese stopwords, and overlapping character bigrams
as a second view that survives jieba's segmentation mistakes.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import jieba

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]+")
_ASCII_WORD = re.compile(r"[A-Za-z]+|\d+(?:\.\d+)?")
_TOKEN_OK = re.compile(f"[{_CJK}A-Za-z0-9]")
# A term worth adding to the dictionary: 2-8 CJK characters (digits allowed) quoted in the text.
_QUOTED_TERM = re.compile(f"[“「『]([{_CJK}0-9·]{{2,8}})[”」』]")

# A place name ends so, or is followed so ("惠州市直机关"): "镇里" and "入口" are tagged ns too, and are no places.
PLACE_ENDINGS = frozenset("市省县区州")
STOPWORDS_FILE = Path(__file__).with_name("stopwords_zh.txt")


@cache
def stopwords() -> frozenset[str]:
    """Function words that carry no topic; loaded once per process."""
    return frozenset(w for w in STOPWORDS_FILE.read_text(encoding="utf-8").split() if w)


def harvest_terms(texts: Iterable[str]) -> set[str]:
    """Quoted policy terms (“三会一课”, “一刀切”, “吃拿卡要”) found in the corpus itself."""
    terms: set[str] = set()
    for text in texts:
        terms.update(_QUOTED_TERM.findall(text))
    return terms


def read_term_file(path: Path) -> set[str]:
    """One term per line; `#` starts a comment. A missing file is an empty dictionary."""
    if not path.is_file():
        return set()
    lines = (line.split("#", 1)[0].strip() for line in path.read_text(encoding="utf-8").splitlines())
    return {line for line in lines if line}


class ChineseTokenizer:
    """Turns text into the two token views the lexical index ranks on."""

    def __init__(self, terms: Iterable[str] = ()) -> None:
        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        self._tagger: Any = None
        # A question is searched several times (its named documents, the whole library, an article's
        # context), and weighed word by word: it is tokenised once.
        self.query_tokens = lru_cache(maxsize=256)(self._query_tokens)
        self.terms = sorted(set(terms))
        for term in self.terms:
            # A high frequency makes jieba keep the term whole; search mode still adds its parts.
            self._jieba.add_word(term, freq=200_000)

    def words(self, text: str) -> list[str]:
        """jieba search-mode words, lower-cased, without stopwords and punctuation."""
        stop = stopwords()
        return [
            w
            for w in (t.strip().lower() for t in self._jieba.cut_for_search(text))
            if w and w not in stop and _TOKEN_OK.search(w)
        ]

    def _query_tokens(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The text's words and bigrams, as a question is searched with them."""
        return tuple(self.words(text)), tuple(self.bigrams(text))

    def places(self, text: str) -> list[str]:
        """Place names in the text (jieba's part-of-speech tag ns: 惠州, 广州): a question about a place
        the library never mentions is about documents it does not hold."""
        if self._tagger is None:
            import jieba.posseg  # its tag table loads on first use, only for questions

            self._tagger = jieba.posseg.POSTokenizer(self._jieba)
        words = [(w.word, w.flag) for w in self._tagger.cut(text)]
        return [
            word
            for (word, flag), (after, _) in zip(words, [*words[1:], ("", "")], strict=True)
            if flag == "ns" and len(word) >= 2 and (word[-1] in PLACE_ENDINGS or after[:1] in PLACE_ENDINGS)
        ]

    @staticmethod
    def bigrams(text: str) -> list[str]:
        """CJK characters and overlapping character bigrams, plus ASCII words and numbers.

        Single characters let "读哪本书" meet "品读…一书" where no word or bigram is shared;
        BM25's IDF keeps the common ones from mattering.
        """
        tokens: list[str] = []
        for run in _CJK_RUN.findall(text):
            tokens.extend(run)
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        tokens.extend(m.lower() for m in _ASCII_WORD.findall(text))
        return tokens
