"""Language identification head: ISO 639-1 code over 34 languages, on the shared hashed features
folded into 2**17 buckets.

Training data (all nameable):
* the word-frequency lists shipped in the PyPI package ``wordfreq`` 3.1.1 (``small_<lang>`` lists;
  Speer et al., built from Wikipedia, OpenSubtitles, SUBTLEX, Twitter, Reddit, Google Books, web
  news and OSCAR, see wordfreq's README). We sample synthetic "posts" from those frequencies (words
  drawn ∝ freq**0.7, 1–18 words, with @user / #hashtag / emoji / URL / case noise), because no
  multilingual labelled *text* set is in ../shared/data;
* real tweets for the two languages where ../shared/data has them: TweetEval offensive train
  (English) and HatEval 2019 ``train_es.tsv`` (Spanish).

Held out (evaluated by ``civicpulse eval --task language``): a second synthetic sample drawn with
another seed, TweetEval sentiment *test* (English) and HatEval ``dev_es.tsv`` (Spanish). Needs
``pip install wordfreq==3.1.1`` at training time only; nothing of wordfreq is used at run time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from common import MODELS_DIR, SEED, data_arg, hateval_es, tweeteval
from scipy import sparse
from sklearn.linear_model import LogisticRegression
from textclf import shared_features

from civicpulse.models.features import featurise
from civicpulse.models.text import LANGUAGE_FILE, LANGUAGE_FOLD_BITS, language_view

#: ISO 639-1 code -> wordfreq list name.
LANGUAGES = {
    "en": "en", "fr": "fr", "es": "es", "de": "de", "it": "it", "nl": "nl", "pt": "pt", "pl": "pl",
    "ar": "ar", "tr": "tr", "ru": "ru", "uk": "uk", "sv": "sv", "da": "da", "nb": "nb", "fi": "fi",
    "cs": "cs", "sk": "sk", "ro": "ro", "hu": "hu", "el": "el", "he": "he", "fa": "fa", "hi": "hi",
    "id": "id", "ms": "ms", "vi": "vi", "tl": "fil", "ja": "ja", "ko": "ko", "zh": "zh", "ca": "ca",
    "bg": "bg", "ur": "ur",
}
_NO_SPACES = {"ja", "zh"}
_EMOJI = ["😂", "❤️", "😍", "🙏", "👍", "🔥", "😭", "😡", "🎉", "👏", "😊", "🚓", "⚠️", "💔"]
N_TRAIN = 2000
N_HELDOUT = 400


def synthetic_posts(code: str, n: int, seed: int) -> list[str]:
    import wordfreq

    freqs = wordfreq.get_frequency_dict(LANGUAGES[code], wordlist="small")
    items = [(w, f) for w, f in freqs.items() if not w.isdigit()][:20000]
    words = [w for w, _ in items]
    p = np.array([f for _, f in items]) ** 0.7
    p /= p.sum()
    rng = np.random.default_rng(seed)
    posts = []
    for _ in range(n):
        length = int(rng.choice([1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 18]))
        toks = [words[i] for i in rng.choice(len(words), size=length, p=p)]
        if code not in _NO_SPACES and rng.random() < 0.5:
            toks[0] = toks[0][:1].upper() + toks[0][1:]
        text = ("" if code in _NO_SPACES else " ").join(toks)
        if rng.random() < 0.05:
            text = text.upper()
        if rng.random() < 0.3:
            text += rng.choice([".", "!", "?", "!!", "..."])
        if rng.random() < 0.25:
            text = "@user " + text
        if rng.random() < 0.2:
            text += " #" + words[int(rng.choice(len(words), p=p))]
        if rng.random() < 0.2:
            text += " " + str(rng.choice(_EMOJI))
        if rng.random() < 0.1:
            text += " https://t.co/" + "".join(rng.choice(list("abcdefXYZ123"), size=8))
        posts.append(text)
    return posts


def folded_matrix(texts: list[str]) -> sparse.csr_matrix:
    config, idf = shared_features()
    rows, cols, vals = language_view(featurise(texts, config, idf))
    return sparse.csr_matrix((vals, (rows, cols)), shape=(len(texts), 1 << LANGUAGE_FOLD_BITS))


def training_set(data: Path) -> tuple[list[str], np.ndarray, list[str]]:
    codes = sorted(LANGUAGES)
    texts: list[str] = []
    labels: list[int] = []
    for i, code in enumerate(codes):
        posts = synthetic_posts(code, N_TRAIN, SEED + i)
        texts += posts
        labels += [i] * len(posts)
    en = tweeteval(data, "offensive", "train")[0][:4000]
    es = hateval_es(data, "train")[0]
    texts += en + es
    labels += [codes.index("en")] * len(en) + [codes.index("es")] * len(es)
    return texts, np.array(labels), codes


def heldout_synthetic() -> tuple[list[str], list[str]]:
    texts: list[str] = []
    labels: list[str] = []
    for i, code in enumerate(sorted(LANGUAGES)):
        posts = synthetic_posts(code, N_HELDOUT, SEED + 1000 + i)
        texts += posts
        labels += [code] * len(posts)
    return texts, labels


def main_with(data: Path | None = None) -> None:
    data = data or data_arg(__doc__ or "")
    texts, y, codes = training_set(data)
    model = LogisticRegression(C=10.0, max_iter=200, random_state=SEED).fit(folded_matrix(texts), y)
    out = MODELS_DIR / LANGUAGE_FILE
    np.savez_compressed(out, labels=np.array(codes), weights=model.coef_.T.astype(np.float16),
                        bias=model.intercept_.astype(np.float32))
    print(f"language: {len(codes)} languages, {len(texts)} training posts -> {out.name}")
    heldout_report()


def heldout_report() -> dict[str, float]:
    """Accuracy of the *shipped* artefact (numpy inference) on the seeded synthetic held-out sample:
    overall, per language, and on posts of at most three words."""
    from civicpulse.models.text import TextModels

    models = TextModels(MODELS_DIR)
    texts, gold = heldout_synthetic()
    probs = models.language_probs(models.logits(texts))
    pred = [models.languages[i] for i in probs.argmax(1)]
    ok = np.array([p == g for p, g in zip(pred, gold, strict=True)])
    short = np.array([len(t.split()) <= 3 for t in texts])
    report = {"overall": float(ok.mean()), "short_posts": float(ok[short].mean())}
    for code in sorted(LANGUAGES):
        mask = np.array([g == code for g in gold])
        report[code] = float(ok[mask].mean())
    print("language held-out synthetic accuracy:",
          ", ".join(f"{k} {100 * v:.1f}" for k, v in report.items()))
    return report


if __name__ == "__main__":
    main_with()
