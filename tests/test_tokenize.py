from index.tokenize import ChineseTokenizer, harvest_terms


def test_party_terms_come_back_whole() -> None:
    tok = ChineseTokenizer(["三会一课", "文山会海"])
    words = tok.words("基层党组织要落实“三会一课”制度，整治文山会海。")
    assert "党组织" in words
    assert "三会一课" in words
    assert "文山会海" in words


def test_stopwords_and_punctuation_dropped() -> None:
    words = ChineseTokenizer().words("这属于清单里的哪一条？")
    assert "清单" in words
    assert not {"这", "的", "哪一条", "？"} & set(words)


def test_character_grams_cover_cjk_and_ascii() -> None:
    grams = ChineseTokenizer.bigrams("党支部 2025年 ABC")
    assert grams == ["党", "支", "部", "党支", "支部", "年", "2025", "abc"]


def test_quoted_terms_are_harvested() -> None:
    terms = harvest_terms(["存在“一刀切”问题，落实“一岗双责”，《规定》里“这是一句很长的话不是术语”"])
    assert terms == {"一刀切", "一岗双责"}
