"""Trains the intent classifier from the features that scripts/nlu-features.ts computed for each
example of nlu/intents, with scikit-learn: TF-IDF over the features, then a multinomial logistic
regression. Writes nlu/model.json, which the bot reads (src/nlu/intent-classifier.ts).

    python3 scripts/nlu_train.py train FEATURES.json nlu/model.json
    python3 scripts/nlu_train.py cv FEATURES.json REPORT.json   # stratified 5-fold cross-validation
"""
import base64
import json
import sys

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline

# A feature seen in one example only teaches that example: left out, the model stays small.
MIN_EXAMPLES = 2
C = 30.0


def pipeline():
    return make_pipeline(
        DictVectorizer(),
        TfidfTransformer(),
        LogisticRegression(C=C, max_iter=5000),
    )


def common_features(examples):
    counts = {}
    for e in examples:
        for f in set(e["features"]):
            counts[f] = counts.get(f, 0) + 1
    return {f for f, n in counts.items() if n >= MIN_EXAMPLES}


def rows(examples, keep):
    return [{f: 1 for f in e["features"] if f in keep} for e in examples]


def train(data, out):
    examples = data["examples"]
    keep = common_features(examples)
    model = pipeline().fit(rows(examples, keep), [e["intent"] for e in examples])
    vec, tfidf, lr = model.steps[0][1], model.steps[1][1], model.steps[2][1]
    features = vec.get_feature_names_out().tolist()
    coef = lr.coef_  # intents × features
    # Weights as signed bytes, one scale per intent: a model of a few hundred KB, same rankings.
    scale = np.abs(coef).max(axis=1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(coef / scale[:, None]), -127, 127).astype(np.int8)
    json.dump(
        {
            "hash": data["hash"],
            "intents": lr.classes_.tolist(),
            "features": features,
            "idf": [round(float(x), 5) for x in tfidf.idf_],
            "bias": [round(float(x), 5) for x in lr.intercept_],
            "scale": [float(x) for x in scale],
            # Feature-major: the weights of feature f are bytes f*intents .. (f+1)*intents.
            "weights": base64.b64encode(q.T.copy().tobytes()).decode("ascii"),
        },
        open(out, "w"),
        separators=(",", ":"),
    )
    print(f"nlu: trained on {len(examples)} examples, {len(features)} features, {len(lr.classes_)} intents -> {out}")


def cv(data, out):
    examples = data["examples"]
    labels = np.array([e["intent"] for e in examples])
    predicted = np.empty(len(examples), dtype=object)
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=1)
    for train_idx, test_idx in folds.split(np.zeros(len(labels)), labels):
        train_ex = [examples[i] for i in train_idx]
        keep = common_features(train_ex)
        model = pipeline().fit(rows(train_ex, keep), labels[train_idx])
        predicted[test_idx] = model.predict(rows([examples[i] for i in test_idx], keep))
    json.dump({"predicted": predicted.tolist()}, open(out, "w"))


if __name__ == "__main__":
    command, source, target = sys.argv[1:4]
    data = json.load(open(source))
    {"train": train, "cv": cv}[command](data, target)
