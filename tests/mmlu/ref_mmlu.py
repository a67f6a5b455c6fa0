"""Reference MMLU (lm-eval-harness protocol; hendrycks and ModelOpt with --protocol) with Python's csv module, HF tokenizers and ONNX Runtime.

Builds the prompts as lm-eval does (description with the subject words, first-N dev rows,
question.strip(), " A".." D" continuations, trailing context whitespace moved into the
continuation), encodes context and context+continuation without special tokens, left-truncates
(context+continuation) to max_length+1 tokens and scores the continuation tokens with one full
ONNX Runtime forward per choice (no KV reuse). Writes OUT/prompts/<subject>.jsonl and
OUT/predictions.json.
"""
import argparse
import csv
import json
import os
import sys
import time

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from evalq_checks import empty_past_feeds, log_softmax  # noqa: E402

LETTERS = "ABCD"


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = [r for r in csv.reader(f)]
    if rows and rows[0][0] == "question" and rows[0][5] == "answer":
        rows = [r[:5] + [LETTERS[int(r[5])]] for r in rows[1:]]
    return rows


def doc_to_text(row):
    return f"{row[0].strip()}\nA. {row[1]}\nB. {row[2]}\nC. {row[3]}\nD. {row[4]}\nAnswer:"


def context_of(subject, dev, shots, row):
    description = f"The following are multiple choice questions (with answers) about {' '.join(subject.split('_'))}.\n\n"
    examples = "".join(doc_to_text(d) + " " + d[5] + "\n\n" for d in dev[:shots])
    return description + examples + doc_to_text(row)


def hendrycks_context(subject, dev, shots, row):
    """hendrycks/test format_subject + format_example (the question not stripped)."""
    def example(r, with_answer):
        text = r[0] + "".join(f"\n{L}. {r[j + 1]}" for j, L in enumerate(LETTERS)) + "\nAnswer:"
        return text + (f" {r[5]}\n\n" if with_answer else "")
    subject_words = "".join(" " + w for w in subject.split("_"))
    header = "The following are multiple choice questions (with answers) about {}.\n\n".format(subject_words)
    return header + "".join(example(d, True) for d in dev[:shots]) + example(row, False)


def score_hendrycks(sess, tok, protocol, subject, dev, shots, row, max_length):
    """hendrycks evaluate_hf.py (letter logit, fewer shots while too long) or ModelOpt
    mmlu_benchmark.py (2 greedy tokens, startswith; skipped when too long)."""
    k = shots
    context = hendrycks_context(subject, dev, k, row)
    ids = tok.encode(context).ids
    truncated = False
    if protocol == "hendrycks":
        while len(ids) > max_length and k > 0:
            k -= 1
            context = hendrycks_context(subject, dev, k, row)
            ids = tok.encode(context).ids
            truncated = True
        if len(ids) > max_length:  # evalq left-cuts a prompt still too long without shots
            ids = ids[-max_length:]
            truncated = True
    letter_ids = [tok.encode(L).ids[-1] for L in LETTERS]
    out = {"context": context, "truncated": truncated}
    if protocol == "modelopt" and len(ids) + 2 > max_length:
        out.update(pred="", ll=[0.0] * 4, skipped=True, generated="")
        return out
    logp = log_softmax(forward(sess, ids))[-1]
    out["ll"] = [float(logp[t]) for t in letter_ids]
    if protocol == "hendrycks":
        out["pred"] = LETTERS[int(np.argmax(out["ll"]))]
        return out
    t1 = int(np.argmax(logp))
    t2 = int(np.argmax(forward(sess, ids + [t1])[-1]))
    generated = tok.decode([t1, t2], skip_special_tokens=True)
    stripped = generated.strip(" \t\r\n")
    out.update(generated=generated, pred=stripped[0] if stripped[:1] in ("A", "B", "C", "D") else "")
    return out


def forward(sess, ids):
    feeds = empty_past_feeds(sess, ids)
    return sess.run(["logits"], feeds)[0][0].astype(np.float64)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--subjects", required=True)
    ap.add_argument("--shots", type=int, required=True)
    ap.add_argument("--limit", type=int, required=True)
    ap.add_argument("--max-length", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--ort-opt", choices=["disabled", "all"], default="disabled")
    ap.add_argument("--protocol", choices=["lm-eval", "hendrycks", "modelopt"], default="lm-eval")
    args = ap.parse_args()
    start = time.perf_counter()
    tok = Tokenizer.from_file(os.path.join(args.model, "tokenizer.json"))
    so = ort.SessionOptions()
    so.graph_optimization_level = (ort.GraphOptimizationLevel.ORT_ENABLE_ALL if args.ort_opt == "all"
                                   else ort.GraphOptimizationLevel.ORT_DISABLE_ALL)
    so.intra_op_num_threads = args.threads
    sess = ort.InferenceSession(os.path.join(args.model, "model.onnx"), so, providers=["CPUExecutionProvider"])
    enc = lambda s: tok.encode(s, add_special_tokens=False).ids
    os.makedirs(os.path.join(args.out, "prompts"), exist_ok=True)
    predictions = {}
    for subject in args.subjects.split(","):
        dev = read_rows(os.path.join(args.data, "dev", f"{subject}_dev.csv")) if args.shots else []
        test = read_rows(os.path.join(args.data, "test", f"{subject}_test.csv"))[: args.limit]
        lines, preds = [], []
        for i, row in enumerate(test):
            if args.protocol != "lm-eval":
                r = score_hendrycks(sess, tok, args.protocol, subject, dev, args.shots, row, args.max_length)
                lines.append(json.dumps({"i": i, "context": r.pop("context"), "continuations": list(LETTERS),
                                         "gold": row[5]}))
                preds.append({"i": i, "gold": row[5], **r})
                continue
            context = context_of(subject, dev, args.shots, row)
            conts = [" " + L for L in LETTERS]
            n_spaces = len(context) - len(context.rstrip())
            if n_spaces:
                conts = [context[-n_spaces:] + c for c in conts]
                context = context[:-n_spaces]
            lines.append(json.dumps({"i": i, "context": context, "continuations": conts, "gold": row[5]}))
            ctx = enc(context)
            lls, truncated, cache = [], False, {}
            for c in conts:
                cont = enc(context + c)[len(ctx):]
                full = (ctx + cont)[-(args.max_length + 1):]
                truncated |= len(ctx) + len(cont) > args.max_length + 1
                inp = full[:-1]
                # Choices whose input is the same (single-token continuations) share one forward,
                # as lm-eval's request grouping does: one full forward per question.
                key = tuple(inp)
                if key not in cache:
                    cache.clear()
                    cache[key] = log_softmax(forward(sess, inp))
                logp = cache[key]
                lls.append(float(sum(logp[len(inp) - len(cont) + j, t] for j, t in enumerate(cont))))
            preds.append({"i": i, "pred": LETTERS[int(np.argmax(lls))], "gold": row[5], "ll": lls, "truncated": truncated})
        with open(os.path.join(args.out, "prompts", f"{subject}.jsonl"), "w", encoding="utf-8") as f:
            f.write("".join(line + "\n" for line in lines))
        predictions[subject] = preds
    with open(os.path.join(args.out, "predictions.json"), "w") as f:
        json.dump(predictions, f)
    n = sum(len(p) for p in predictions.values())
    print(f"ref_mmlu: {n} questions in {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
