from app.drafting.question import CHECKLIST_QUESTION
from index.fusion import reciprocal_rank_fusion


def test_agreement_wins_and_scores_read_zero_to_one() -> None:
    fused = reciprocal_rank_fusion({"a": ["x", "y", "z"], "b": ["y", "x"]}, {"a": 1.0, "b": 1.0}, k=60)
    assert [f.id for f in fused][:2] in (["x", "y"], ["y", "x"])
    assert fused[-1].id == "z"
    assert all(0 < f.score <= 1 for f in fused)
    assert fused[0].ranks.keys() == {"a", "b"}


def test_zero_weight_channel_is_ignored() -> None:
    fused = reciprocal_rank_fusion({"a": ["x"], "dense": ["noise"]}, {"a": 1.0, "dense": 0.0})
    assert [f.id for f in fused] == ["x"]
    assert fused[0].score == 1.0


def test_weights_change_the_order() -> None:
    rankings = {"a": ["x", "y"], "b": ["y", "x"]}
    assert reciprocal_rank_fusion(rankings, {"a": 2.0, "b": 1.0})[0].id == "x"
    assert reciprocal_rank_fusion(rankings, {"a": 1.0, "b": 2.0})[0].id == "y"


def test_checklist_items_take_the_checklist_channels_order_in_the_places_fusion_gave_them() -> None:
    from index.fusion import Fused
    from index.search import CHECKLIST, items_among_themselves

    fused = [
        Fused("a#1", 0.9, {CHECKLIST: 3, "words": 1}),
        Fused("plan#7", 0.8, {"words": 2}),
        Fused("a#2", 0.7, {CHECKLIST: 1}),
        Fused("a#3", 0.6, {CHECKLIST: 2}),
    ]
    ordered = items_among_themselves(fused)
    assert [f.id for f in ordered] == ["a#2", "plan#7", "a#3", "a#1"]
    assert [f.score for f in ordered] == [0.9, 0.8, 0.7, 0.6]  # scores stay with the places
    assert items_among_themselves(fused[:2]) == fused[:2]  # one item: nothing to reorder


def test_a_question_asking_for_an_item_wakes_the_checklist_channel_and_one_asking_for_a_document_does_not() -> (
    None
):
    assert CHECKLIST_QUESTION.search("基层反映同一组数据要重复报好几次，属于清单里哪一条？")
    assert CHECKLIST_QUESTION.search("这个问题对应哪一条清单内容？")
    assert not CHECKLIST_QUESTION.search("“三级六岗”责任清单是哪个文件提出的？")
