"""The reference tokenizer against HuggingFace BertNormalizer + BertPreTokenizer + WordPiece behaviour."""

import json

import pytest

from nerexport.tokenization import (
    BertWordPieceTokenizer,
    build_single_window,
    pad_rows,
    read_vocab,
    write_tokenizer_json,
)


def words_of(tokenizer, text):
    """(piece tokens, start, end, span) per word, for readable assertions."""
    out = []
    for w in tokenizer.encode_words(text):
        out.append(([tokenizer.id_to_token[i] for i in w.piece_ids], w.start, w.end, text[w.start : w.end]))
    return out


@pytest.fixture
def tok(small_vocab_path):
    return BertWordPieceTokenizer(small_vocab_path, lowercase=True)


@pytest.fixture
def cased(small_vocab_path):
    return BertWordPieceTokenizer(small_vocab_path, lowercase=False)


def test_each_cjk_character_is_its_own_word_with_code_point_offsets(tok):
    assert words_of(tok, "我在北京") == [
        (["我"], 0, 1, "我"),
        (["在"], 1, 2, "在"),
        (["北"], 2, 3, "北"),
        (["京"], 3, 4, "京"),
    ]


def test_emoji_is_one_unknown_word_and_offsets_count_code_points_not_utf16(tok):
    # 😀 is one code point but two UTF-16 units; the CJK character after it starts at 1.
    assert words_of(tok, "😀习") == [(["[UNK]"], 0, 1, "😀"), (["习"], 1, 2, "习")]


def test_astral_cjk_character_is_split_out_and_unknown(tok):
    # U+20BB7 lies in CJK Extension B, so handle_chinese_chars isolates it.
    assert words_of(tok, "𠮷野在") == [(["[UNK]"], 0, 1, "𠮷"), (["[UNK]"], 1, 2, "野"), (["在"], 2, 3, "在")]


def test_emoji_glued_to_latin_makes_the_whole_word_unknown(tok):
    assert words_of(tok, "abc😀c 我") == [(["[UNK]"], 0, 5, "abc😀c"), (["我"], 6, 7, "我")]


def test_latin_run_is_one_word_whose_pieces_span_it(tok):
    assert words_of(tok, "iPhone15在") == [(["iphone", "##15"], 0, 8, "iPhone15"), (["在"], 8, 9, "在")]
    pieces = tok.encode("iPhone15")
    assert [(p.token, p.start, p.end) for p in pieces] == [("iphone", 0, 6), ("##15", 6, 8)]


def test_without_lowercase_upper_case_latin_is_unknown(cased):
    assert words_of(cased, "Apple CEO") == [(["[UNK]"], 0, 5, "Apple"), (["[UNK]"], 6, 9, "CEO")]
    assert words_of(cased, "apple") == [(["apple"], 0, 5, "apple")]


def test_full_width_letters_and_digits_are_nfkc_normalised_with_original_offsets(tok):
    # U+3000 (ideographic space) separates the runs; a letter+digit run would be one word.
    assert words_of(tok, "ＡＢＣ\u3000２０２４年") == [
        (["abc"], 0, 3, "ＡＢＣ"),
        (["2024"], 4, 8, "２０２４"),
        (["年"], 8, 9, "年"),
    ]
    assert words_of(tok, "ＡＢＣ２０２４") == [(["[UNK]"], 0, 7, "ＡＢＣ２０２４")]


def test_without_nfkc_full_width_text_is_unknown(small_vocab_path):
    raw = BertWordPieceTokenizer(small_vocab_path, lowercase=True, normalization="none")
    assert words_of(raw, "ＡＢＣ") == [(["[UNK]"], 0, 3, "ＡＢＣ")]


def test_full_width_punctuation_is_its_own_word(tok):
    # U+FF0C (full-width comma) becomes ',' under NFKC; '，' is in the vocabulary too but NFKC comes first.
    assert words_of(tok, "我，在") == [(["我"], 0, 1, "我"), ([","], 1, 2, "，"), (["在"], 2, 3, "在")]


def test_nfkc_expansion_maps_every_output_character_to_its_source(tok):
    # U+FB01 (ligature fi) -> 'fi'; U+3231 (parenthesised 株) -> '(株)': three words on one source char.
    assert words_of(tok, "ﬁ") == [(["fi"], 0, 1, "ﬁ")]
    assert [(w[1], w[2]) for w in words_of(tok, "㈱我")] == [(0, 1), (0, 1), (0, 1), (1, 2)]


def test_nfkc_works_cluster_by_cluster_like_ner_api(tok, cased):
    # 'e' + U+0301 is one cluster; NFKC composes it to 'é' (lower-casing then strips the accent), and the
    # result covers both original code points.
    assert words_of(tok, "Cafe\u0301") == [(["cafe"], 0, 5, "Cafe\u0301")]
    assert cased._pre_normalize("a\u0308Ａ") == [("ä", 0, 2), ("A", 2, 3)]
    # An NFKC-normal cluster keeps code-point offsets ('q' + dot above has no composed form).
    assert cased._pre_normalize("q\u0307Ａ") == [("q", 0, 1), ("\u0307", 1, 2), ("A", 2, 3)]
    # A combining mark at the start is a cluster of its own.
    assert [c for c, _, _ in cased._pre_normalize("\u0301Ａ")] == ["\u0301", "A"]


def test_whitespace_runs_of_every_kind_separate_words_and_are_dropped(tok):
    text = "北\t\n  京\u3000上\u00a0海\r\n"
    assert words_of(tok, text) == [
        (["北"], 0, 1, "北"),
        (["京"], 5, 6, "京"),
        (["上"], 7, 8, "上"),
        (["海"], 9, 10, "海"),
    ]
    assert tok.encode_words("   \t\n ") == []
    assert tok.encode_words("") == []


def test_control_and_format_characters_are_removed_without_shifting_offsets(tok):
    # U+200B zero-width space (Cf), U+0007 bell (Cc), U+FEFF (Cf): removed, they do not split a word.
    assert words_of(tok, "a\u200bb\u0007c\ufeff我") == [(["abc"], 0, 5, "a\u200bb\u0007c"), (["我"], 6, 7, "我")]


def test_vertical_tab_is_a_control_character_not_whitespace(tok):
    # Rust's is_control wins over is_whitespace for \x0b: it is removed, so 'a' and 'b' join.
    assert words_of(tok, "a\x0bb") == [(["a", "##b"], 0, 3, "a\x0bb")]


def test_ascii_symbols_are_punctuation_words(tok):
    assert [w[0] for w in words_of(tok, "5%$a")] == [["[UNK]"], ["%"], ["$"], ["a"]]
    assert [w[3] for w in words_of(tok, "ab-c.")] == ["ab", "-", "c", "."]


def test_lowercase_strips_accents(tok, cased):
    assert words_of(tok, "Café") == [(["cafe"], 0, 4, "Café")]
    assert words_of(cased, "café") == [(["[UNK]"], 0, 4, "café")]


def test_wordpiece_is_greedy_longest_match_first(tok):
    assert [tok.id_to_token[i] for i in tok.encode_words("abcb")[0].piece_ids] == ["abc", "##b"]
    assert words_of(tok, "xxxx") == [(["x", "##x", "##x", "##x"], 0, 4, "xxxx")]


def test_a_word_longer_than_100_characters_is_one_unknown(tok):
    assert words_of(tok, "x" * 101) == [(["[UNK]"], 0, 101, "x" * 101)]
    assert len(tok.encode_words("x" * 100)[0].piece_ids) == 100


def test_literal_special_tokens_are_matched_before_normalisation(tok):
    assert words_of(tok, "我[SEP]在") == [(["我"], 0, 1, "我"), (["[SEP]"], 1, 6, "[SEP]"), (["在"], 6, 7, "在")]
    # lower-case is not the special token: it is split by punctuation
    assert [w[3] for w in words_of(tok, "[sep]")] == ["[", "sep", "]"]


def test_write_tokenizer_json_has_the_contract_shape(small_vocab_path, tmp_path):
    out = write_tokenizer_json(small_vocab_path, tmp_path / "t" / "tokenizer.json", lowercase=True)
    data = json.loads(out.read_text(encoding="utf-8"))
    vocab = read_vocab(small_vocab_path)
    assert data["model"]["type"] == "WordPiece"
    assert data["model"]["vocab"] == vocab
    assert data["model"]["unk_token"] == "[UNK]"
    assert data["normalizer"] == {
        "type": "BertNormalizer",
        "clean_text": True,
        "handle_chinese_chars": True,
        "strip_accents": None,
        "lowercase": True,
    }
    assert data["pre_tokenizer"] == {"type": "BertPreTokenizer"}
    special = data["post_processor"]["special_tokens"]
    assert special["[CLS]"]["ids"] == [vocab["[CLS]"]] and special["[SEP]"]["ids"] == [vocab["[SEP]"]]
    assert {t["content"]: t["id"] for t in data["added_tokens"]} == {
        t: vocab[t] for t in ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")
    }
    cased = json.loads(write_tokenizer_json(small_vocab_path, tmp_path / "c.json", lowercase=False).read_text())
    assert cased["normalizer"]["lowercase"] is False


def test_vocabulary_without_special_tokens_is_refused(tmp_path):
    path = tmp_path / "vocab.txt"
    path.write_text("[PAD]\n[UNK]\n我\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"\[CLS\]"):
        read_vocab(path)


def test_single_window_and_padding(tok):
    words = tok.encode_words("我 iPhone15")
    window = build_single_window(words, tok.cls_id, tok.sep_id, 512)
    assert window.input_ids[0] == tok.cls_id and window.input_ids[-1] == tok.sep_id
    assert len(window.input_ids) == 5
    assert window.first_piece_positions == [1, 2]
    with pytest.raises(ValueError, match="do not fit"):
        build_single_window(words, tok.cls_id, tok.sep_id, 4)
    ids, mask = pad_rows([[1, 2, 3], [4]], pad_id=0)
    assert ids == [[1, 2, 3], [4, 0, 0]] and mask == [[1, 1, 1], [1, 0, 0]]
