"""Oracle for the tokenizer tests: HF `tokenizers` ids for every (tokenizer, text) pair.

Besides the two shipped tokenizers (stories260K, GPT-2) it trains small but genuine
tokenizer.json files of the other families with HF tokenizers itself, on WikiText-2 text:
byte-level BPE with the GPT-2 pre-tokenizer, Llama-3 and Qwen2 regex Split + ByteLevel,
SentencePiece-style BPE with byte_fallback (normalizer form and Metaspace form), and one that
exercises NFKC/Lowercase/Strip/Digits and continuing_subword_prefix/end_of_word_suffix.

Writes to OUT: tokenizers/<name>/tokenizer.json, texts/<name>.txt (the exact bytes the C++ side
reads), cases/<tokenizer>__<text>.json ({"ids": [...], "decoded": "..."}) and manifest.json.
"""
import argparse
import csv
import json
import os
from pathlib import Path

from tokenizers import (AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers,
                        processors, trainers)

LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")
QWEN2_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                 r"|\s*[\r\n]+|\s+(?!\S)|\s+")

# Adversarial text. Invalid UTF-8 is replaced the way Python's bytes.decode("utf-8", "replace")
# does (one U+FFFD per maximal ill-formed subpart); the C++ tokenizer documents the same rule.
ADVERSARIAL_PARTS = [
    "Emoji: 😀 👩‍👩‍👧‍👦 🏳️‍🌈 👍🏽 🇫🇷🇯🇵 ✈️ ❤️‍🔥",
    "CJK: 東京は日本の首都です。北京欢迎你！한국어 텍스트 ｶﾀｶﾅ　全角スペース",
    "Combining: e\u0301 a\u0308 n\u0303 Z\u0351\u0348\u035c\u0346a\u0357l\u0310g\u0358o \u1e9b\u0323 Å Å ﬁ ﬀ ² ½ Ⅻ",
    "RTL: مرحبا بالعالم שלום עולם \u202eevil\u202c \u200f\u200e",
    "Controls: a\tb\x0bc\x0cd\re\x00f\x1fg\x7fh\x85i\u2028j\u2029k\u00a0l\u2003m\u3000n\u180eo\ufeffp\u200bq",
    "Spaces:" + " " * 300 + "end\n\n\n\t\t  \n" + "word" * 200 + " " + "a" * 1000,
    "Digits: 1234567890 ١٢٣٤٥ ๑๒๓ 12.5% 3,000,000 ½ 10⁶",
    "Casing: İstanbul ΣΟΦΟΣ ß ẞ ǅ Ǳ K Å Straße DŽUNGLA I'M YOU'LL WE'VE",
    "Specials in text: <s> </s> <unk> <|endoftext|> <|begin_of_text|> <|im_start|>user<|im_end|> <0x41>",
    "Mojibake: â€œquotedâ€\x9d â€™s Ã©tÃ©",
    "Math: ∀x∈ℝ: x²≥0 ∑ᵢ∫∂ √2 ≈ 1.414 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝟘𝟙𝟚",
]
INVALID_UTF8 = b"Invalid: \xff \xc0\xaf \xed\xa0\x80 \xf0\x9f\x98 \xe2\x82 \x80\x80 \xf8\x88\x80\x80\x80 end \xc3"


SNIPPET_PIECES = [" ", "  ", "\n", "\t", "\r\n", "a", "Hello", "'s", "'S", "'ll", "123", "1234567", "é", "e\u0301",
                  "😀", "👩‍👧", "東京", "<s>", "</s>", "<unk>", "<|endoftext|>", "<|im_start|>", "<|begin_of_text|>",
                  "New York", "New Yorker", " hello", "hello", "▁", "Ġ", "##", "</w>", "\u00a0", "\u3000", "\x85",
                  "ﬁ", "İ", "ΣΑΣ", "-", "->", "...", "<0x41>", "\u200b", "x", "Ω", "٣",
                  # where Oniguruma's \s and \w differ from PCRE2's own
                  "\u180e", "Ⓐ", "½", "Ⅻ", "\u200d", "_", "x\u0308", "\u2028", "\u00ad", "@-@", " @,@ "]


def snippets():
    """Short texts encoded one by one: edges of the text, added tokens next to spaces, and so on."""
    import random
    rng = random.Random(1234)
    fixed = ["", " ", "  ", "\n", "a", " a", "a ", "<s>", "<s>hello", "hello<s>", " <s> ", "<s><s>", "New York",
             "New Yorker", "a New York b", "a hello b", "say hello", "hello", "<|endoftext|><|endoftext|>",
             "<|im_start|>user\nhi<|im_end|>", "▁▁a", "Ġhello", "I'M", "don't", "   leading", "trailing   "]
    return fixed + ["".join(rng.choice(SNIPPET_PIECES) for _ in range(rng.randint(1, 8))) for _ in range(400)]


def wikitext_rows(shared):
    """The HF wikitext-2-raw-v1 test rows: blank lines (" ") are empty rows, others keep "\\n"."""
    lines = (shared / "data/wikitext-2/wiki.test.raw").read_text(encoding="utf-8").split("\n")[:-1]
    return ["" if line == " " else line + "\n" for line in lines]


def mmlu_text(shared):
    prompts = []
    # Subjects with formulas, chemistry notation, names and long passages; a few hundred kB in all.
    for subject in ["abstract_algebra", "high_school_chemistry", "world_religions", "college_mathematics",
                    "college_physics", "high_school_us_history"]:
        with open(shared / f"data/mmlu/data/test/{subject}_test.csv", encoding="utf-8", newline="") as f:
            for q, a, b, c, d, answer in csv.reader(f):
                prompts.append(f"{q}\nA. {a}\nB. {b}\nC. {c}\nD. {d}\nAnswer: {answer}")
    return "\n\n".join(prompts)


def make_texts(shared, out):
    wiki = (shared / "data/wikitext-2/wiki.test.raw").read_bytes()
    texts = {
        "wikitext": wiki,
        "wikitext_rows": "\n\n".join(wikitext_rows(shared)).encode(),
        "tinystories": (shared / "data/tinystories/valid-head.txt").read_bytes(),
        "mmlu": mmlu_text(shared).encode(),
        "adversarial": "\n".join(ADVERSARIAL_PARTS).encode() + b"\n" + INVALID_UTF8,
        "short": "Hello world! It's a test: 12345 tokens, don't panic.".encode(),
        # Long words and whitespace runs: one pre-token of 100k characters must not be quadratic.
        "long_runs": (" " * 100000 + "a" * 100000 + "\n" * 20000 + "ab" * 50000 + " x" + "\t " * 20000
                      + "é" * 30000 + "😀" * 10000).encode(),
    }
    (out / "texts").mkdir(parents=True, exist_ok=True)
    for name, data in texts.items():
        (out / "texts" / f"{name}.txt").write_bytes(data)
    return texts


def train_bpe(tok, texts, vocab_size, special_tokens, **trainer_args):
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=special_tokens, show_progress=False,
                                  **trainer_args)
    tok.train_from_iterator(texts, trainer=trainer)
    return tok


def byte_level_gpt2(corpus):
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.post_processor = processors.ByteLevel(trim_offsets=False)
    return train_bpe(tok, corpus, 3000, ["<|endoftext|>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet())


def regex_byte_level(corpus, pattern, special_tokens, bos, nfc, ignore_merges):
    tok = Tokenizer(models.BPE(ignore_merges=ignore_merges))
    if nfc:
        tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    train_bpe(tok, corpus, 3000, special_tokens, initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    steps = [processors.ByteLevel(trim_offsets=False)]
    if bos:
        steps.append(processors.TemplateProcessing(single=f"{bos} $A", special_tokens=[(bos, tok.token_to_id(bos))]))
    tok.post_processor = processors.Sequence(steps)
    return tok


def sentencepiece_style(corpus, metaspace):
    """Llama-2 layout: <unk> <s> </s>, then the 256 <0xNN> byte tokens, then learned pieces."""
    tok = Tokenizer(models.BPE(unk_token="<unk>", fuse_unk=True, byte_fallback=True))
    replace = decoders.Replace("▁", " ")
    if metaspace:
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="first", split=False)
        tok.decoder = decoders.Sequence([decoders.Metaspace(replacement="▁", prepend_scheme="first"),
                                         decoders.ByteFallback(), decoders.Fuse()])
    else:
        tok.normalizer = normalizers.Sequence([normalizers.Prepend("▁"), normalizers.Replace(" ", "▁")])
        tok.decoder = decoders.Sequence([replace, decoders.ByteFallback(), decoders.Fuse(), decoders.Strip(" ", 1, 0)])
    train_bpe(tok, corpus, 1500, ["<unk>", "<s>", "</s>"], limit_alphabet=300)
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", 1)])

    spec = json.loads(tok.to_str())
    model = spec["model"]
    learned = sorted(((i, t) for t, i in model["vocab"].items() if i >= 3))
    vocab = {"<unk>": 0, "<s>": 1, "</s>": 2}
    for b in range(256):
        vocab[f"<0x{b:02X}>"] = len(vocab)
    for _, token in learned:
        vocab.setdefault(token, len(vocab))
    model["vocab"] = vocab
    return Tokenizer.from_str(json.dumps(spec))


def misc_components(corpus):
    tok = Tokenizer(models.BPE(continuing_subword_prefix="##", end_of_word_suffix="</w>"))
    tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase(), normalizers.Strip()])
    tok.pre_tokenizer = pre_tokenizers.Sequence([pre_tokenizers.WhitespaceSplit(),
                                                 pre_tokenizers.Digits(individual_digits=True),
                                                 pre_tokenizers.ByteLevel(add_prefix_space=True)])
    tok.decoder = decoders.ByteLevel()
    train_bpe(tok, corpus, 2500, ["[CLS]", "[SEP]"], continuing_subword_prefix="##", end_of_word_suffix="</w>",
              initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.add_tokens([AddedToken("New York", single_word=True), AddedToken(" hello", lstrip=True, rstrip=True)])
    tok.post_processor = processors.BertProcessing(("[SEP]", tok.token_to_id("[SEP]")),
                                                   ("[CLS]", tok.token_to_id("[CLS]")))
    return tok


def split_behaviors(corpus):
    """Every split behaviour, literal and regex patterns, a regex Replace normalizer."""
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.Replace(Regex(r" @([-,.])@ "), "~")
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(" ", behavior="merged_with_previous"),
        pre_tokenizers.Split(Regex(r"[.,;:!?]"), behavior="contiguous"),
        pre_tokenizers.Digits(individual_digits=False),
        pre_tokenizers.Split(Regex(r"\p{Lu}"), behavior="merged_with_next"),
        pre_tokenizers.Split(Regex(r"[()\[\]]"), behavior="removed"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    return train_bpe(tok, corpus, 2000, ["<pad>"], initial_alphabet=pre_tokenizers.ByteLevel.alphabet())


def unk_without_fallback(corpus):
    """A small alphabet and an unk token (not fused): unknown characters become [UNK]; no decoder."""
    tok = Tokenizer(models.BPE(unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Whitespace(),
        pre_tokenizers.Split(Regex(r"\w+"), behavior="merged_with_previous", invert=True),
    ])
    return train_bpe(tok, corpus, 1200, ["[UNK]"], limit_alphabet=50)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    shared = Path(os.environ.get("EVALQ_SHARED_DIR", Path(__file__).resolve().parents[2] / "../shared"))
    out = Path(args.out)
    texts = make_texts(shared, out)
    # A third of the split is plenty to learn a few thousand merges, and keeps this step short.
    corpus = [row for row in wikitext_rows(shared) if row][:1000]

    tokenizer_paths = {
        "stories260k": shared / "models/stories260K/tokenizer.json",
        "gpt2": shared / "tokenizers/gpt2/tokenizer.json",
    }
    trained = {
        "bytelevel_gpt2": byte_level_gpt2(corpus),
        "llama3_style": regex_byte_level(corpus, LLAMA3_PATTERN, ["<|begin_of_text|>", "<|end_of_text|>"],
                                         "<|begin_of_text|>", nfc=False, ignore_merges=True),
        "qwen2_style": regex_byte_level(corpus, QWEN2_PATTERN, ["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
                                        None, nfc=True, ignore_merges=False),
        "spm_byte_fallback": sentencepiece_style(corpus, metaspace=False),
        "spm_metaspace": sentencepiece_style(corpus, metaspace=True),
        "misc_components": misc_components(corpus),
        "split_behaviors": split_behaviors(corpus),
        "unk_without_fallback": unk_without_fallback(corpus),
    }
    for name, tok in trained.items():
        folder = out / "tokenizers" / name
        folder.mkdir(parents=True, exist_ok=True)
        tok.save(str(folder / "tokenizer.json"))
        tokenizer_paths[name] = folder / "tokenizer.json"

    (out / "cases").mkdir(parents=True, exist_ok=True)
    manifest, snippet_files = [], []
    for tok_name, tok_path in tokenizer_paths.items():
        tok = Tokenizer.from_file(str(tok_path))
        tok.no_truncation()  # GPT-2's file carries a truncation section that evaluation ignores
        tok.no_padding()
        for text_name, data in texts.items():
            if text_name == "wikitext_rows" and tok_name != "gpt2":
                continue  # the GPT-2 anchor text; "wikitext" covers the same content for the others
            text = data.decode("utf-8", errors="replace")
            for add_special in ([False, True] if text_name == "short" else [False]):
                ids = tok.encode(text, add_special_tokens=add_special).ids
                case = f"{tok_name}__{text_name}{'__special' if add_special else ''}"
                decoded = tok.decode(ids, skip_special_tokens=False)
                with open(out / "cases" / f"{case}.json", "w", encoding="utf-8") as f:
                    json.dump({"ids": ids, "decoded": decoded}, f, ensure_ascii=True)
                manifest.append({"name": case, "tokenizer": str(tok_path), "text": str(out / "texts" / f"{text_name}.txt"),
                                 "add_special_tokens": add_special, "expected": str(out / "cases" / f"{case}.json"),
                                 "count": len(ids)})
        entries = []
        for text in snippets():
            ids = tok.encode(text, add_special_tokens=False).ids
            entries.append({"text": text, "ids": ids,
                            "ids_special": tok.encode(text, add_special_tokens=True).ids,
                            "decoded": tok.decode(ids, skip_special_tokens=False),
                            "decoded_skip": tok.decode(ids, skip_special_tokens=True)})
        with open(out / "cases" / f"{tok_name}__snippets.json", "w", encoding="utf-8") as f:
            json.dump(entries, f, ensure_ascii=True)
        snippet_files.append({"name": tok_name, "tokenizer": str(tok_path),
                              "expected": str(out / "cases" / f"{tok_name}__snippets.json")})
    with open(out / "snippets.json", "w") as f:
        json.dump(snippet_files, f, indent=1)
    with open(out / "manifest.json", "w") as f:
        json.dump(manifest, f, indent=1)
    print(f"wrote {len(manifest)} cases to {out}")


if __name__ == "__main__":
    main()
