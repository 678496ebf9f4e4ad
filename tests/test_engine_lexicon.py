"""The lexicon is consistent: every word of a concept group reaches its group's term."""

from __future__ import annotations

import pytest

from bot.engine.lexicon import CONCEPTS, OTHER_APPS, OWN_MEANING
from bot.engine.normalize import HAN, fold_chinese
from bot.engine.tokenize import (
    _CONCEPT_OF_ZH,
    HOME_APP_TERM,
    OTHER_APP_TERMS,
    _group_term,
    word_term,
)

GROUPS = (*CONCEPTS, *OTHER_APPS)

ENGLISH_STOP_WORD_HEADS = {"thank"}
"""Groups whose English head is a stop word (politeness is not a topic in English); they serve their Chinese
words, which still meet one another."""


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g[0])
def test_every_word_of_a_group_reaches_its_term(group: tuple[str, ...]) -> None:
    """A word another group, an abbreviation or a stop word takes first would never reach its own group."""
    head = _group_term(group)
    english = [w for w in group if not HAN.search(w)]
    chinese = [w for w in group if HAN.search(w)]
    if group[0] not in ENGLISH_STOP_WORD_HEADS:
        assert {w: word_term(w) for w in english} == dict.fromkeys(english, head)
    assert {w: _CONCEPT_OF_ZH.get(w) for w in chinese} == dict.fromkeys(chinese, head)


@pytest.mark.parametrize("group", GROUPS, ids=lambda g: g[0])
def test_chinese_words_are_in_the_form_questions_take(group: tuple[str, ...]) -> None:
    """Groups are matched on folded text: a word folding to another form (影片 -> 视频) is never seen."""
    chinese = [w for w in group if HAN.search(w)]
    assert {w: fold_chinese(w) for w in chinese} == {w: w for w in chinese}


def test_rednote_is_not_another_app() -> None:
    assert HOME_APP_TERM not in OTHER_APP_TERMS
    assert word_term("xiaohongshu") == HOME_APP_TERM == word_term("rednote")


def test_words_with_their_own_meaning_keep_it() -> None:
    """ "social" is not politics (it shares "socialism"'s stem), nor "generally" a stereotype: such words keep a
    term of their own, which no concept group uses."""
    heads = {_group_term(group) for group in GROUPS}
    terms = {w: word_term(w) for w in OWN_MEANING}
    assert terms == OWN_MEANING
    assert not heads & set(terms.values())
    assert word_term("socialism") == word_term("politics") != word_term("social")
