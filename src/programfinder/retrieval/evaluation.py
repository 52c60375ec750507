"""Relevance evaluation: graded judgements, nDCG@10 / MRR / Recall@10, and peer baselines.

A judgements file lists queries as users type them, each with a kind and graded relevant record
ids (2 = the answer, 1 = also useful); it is either a YAML list of queries (``eval/queries.yaml``)
or a mapping with ``queries:`` and ``drafts:`` (the blind sets ``eval/blind-dev.yaml`` and
``eval/blind-test.yaml``), where a draft is a paragraph of a proposal ranked by "similar
programs". ``compare`` scores programfinder side by side with a plain scikit-learn
``TfidfVectorizer`` (default settings) and BM25 (``bm25s``) over the same records.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ProgramFinderError
from ..records.corpus import Corpus
from ..records.program import Program
from ..records.sources import load_corpus

K = 10
METRICS = ("ndcg@10", "mrr", "hit@3", "recall@10")
DRAFT_KIND = "draft"
Ranker = Callable[[str], list[str]]


@dataclass(frozen=True)
class Judgement:
    """One evaluation query (or draft, when ``type`` is ``"draft"``) and its graded relevant ids."""

    query: str
    type: str
    relevant: Mapping[str, int]

    @property
    def is_draft(self) -> bool:
        return self.type == DRAFT_KIND


@dataclass
class SystemScores:
    """Mean metrics of one system, overall and per query type, plus each query's nDCG@10."""

    name: str
    overall: dict[str, float]
    by_type: dict[str, dict[str, float]]
    per_query: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "overall": self.overall,
            "by_type": self.by_type,
            "counts": self.counts,
            "per_query": self.per_query,
        }


def load_judgements(path: Path, corpus: Corpus | None = None) -> list[Judgement]:
    """Read a judgements file; every id must exist in ``corpus`` when one is given.

    The file is a list of queries, or a mapping with ``queries:`` and ``drafts:`` lists; a query
    has ``query``, ``type`` (or ``kind``) and ``relevant``, a draft ``text`` and ``relevant``.
    """
    import yaml

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ProgramFinderError(f"Cannot read the judgements file {path}: {exc}") from exc
    if isinstance(data, dict):
        items = [*(data.get("queries") or [])]
        items += [
            {**d, "query": d.get("text"), "type": DRAFT_KIND}
            for d in (data.get("drafts") or [])
            if isinstance(d, dict)
        ]
    elif isinstance(data, list):
        items = data
    else:
        raise ProgramFinderError(
            f"{path}: expected a list of queries (- query: ..., relevant: ...) "
            "or a mapping with queries: and drafts:."
        )
    judgements = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not item.get("query") or "relevant" not in item:
            raise ProgramFinderError(f"{path}: entry {number} needs 'query' and 'relevant'.")
        relevant = {str(k): int(v) for k, v in dict(item["relevant"]).items()}
        if corpus is not None:
            unknown = [rid for rid in relevant if rid not in corpus]
            if unknown:
                raise ProgramFinderError(
                    f"{path}: entry {number} ({str(item['query'])[:60]!r}) names unknown ids: "
                    f"{', '.join(unknown)}"
                )
        kind = str(item.get("type", item.get("kind", "other")))
        judgements.append(Judgement(str(item["query"]), kind, relevant))
    return judgements


def ndcg_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int = K) -> float:
    """Normalised discounted cumulative gain of the first ``k`` results (gain 2^grade - 1)."""
    gains = [(2 ** relevant.get(rid, 0) - 1) / math.log2(i + 2) for i, rid in enumerate(ranked[:k])]
    ideal_grades = sorted(relevant.values(), reverse=True)[:k]
    ideal = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal_grades))
    return sum(gains) / ideal if ideal else 0.0


def reciprocal_rank(ranked: Sequence[str], relevant: Mapping[str, int], k: int = K) -> float:
    """1 / rank of the first relevant result within the first ``k`` (0 if none)."""
    for i, rid in enumerate(ranked[:k]):
        if relevant.get(rid, 0) > 0:
            return 1.0 / (i + 1)
    return 0.0


def hit_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int = 3) -> float:
    """1 when a record of the highest grade given is among the first ``k`` results, else 0."""
    best = max(relevant.values(), default=0)
    return float(any(relevant.get(rid, 0) == best > 0 for rid in ranked[:k]))


def recall_at_k(ranked: Sequence[str], relevant: Mapping[str, int], k: int = K) -> float:
    """Share of the relevant ids found in the first ``k`` results."""
    wanted = {rid for rid, grade in relevant.items() if grade > 0}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def evaluate(
    name: str,
    rank: Ranker,
    judgements: Sequence[Judgement],
    rank_draft: Ranker | None = None,
) -> SystemScores:
    """Score one ranking function on every judgement (drafts with ``rank_draft`` if given)."""
    rows: list[tuple[str, dict[str, float]]] = []
    per_query = {}
    for judgement in judgements:
        ranker = rank_draft if judgement.is_draft and rank_draft is not None else rank
        ranked = ranker(judgement.query)
        scores = {
            "ndcg@10": ndcg_at_k(ranked, judgement.relevant),
            "mrr": reciprocal_rank(ranked, judgement.relevant),
            "hit@3": hit_at_k(ranked, judgement.relevant),
            "recall@10": recall_at_k(ranked, judgement.relevant),
        }
        per_query[judgement.query] = scores["ndcg@10"]
        rows.append((judgement.type, scores))

    def mean(selected: list[dict[str, float]]) -> dict[str, float]:
        return {m: sum(s[m] for s in selected) / len(selected) for m in METRICS}

    types = sorted({t for t, _ in rows}, key=lambda t: (t == DRAFT_KIND, t))
    return SystemScores(
        name=name,
        overall=mean([s for _, s in rows]),
        by_type={t: mean([s for tt, s in rows if tt == t]) for t in types},
        per_query=per_query,
        counts={t: sum(1 for tt, _ in rows if tt == t) for t in types},
    )


def baseline_text(program: Program) -> str:
    """All searchable fields of a record as one text, for the peer baselines."""
    parts = [program.title, *program.tags, program.body, program.agency, program.place,
             *program.partners, *(f"{o.measure} {o.value}" for o in program.outcomes), program.award]  # fmt: skip
    return "\n".join(p for p in parts if p)


def tfidf_baseline(programs: Sequence[Program]) -> Ranker:
    """Plain ``TfidfVectorizer()`` with default settings and cosine ranking."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer()
    matrix = vectorizer.fit_transform([baseline_text(p) for p in programs])
    ids = [p.id for p in programs]

    def rank(query: str) -> list[str]:
        scores = (matrix @ vectorizer.transform([query]).T).toarray().ravel()
        order = sorted(range(len(ids)), key=lambda i: (-scores[i], i))
        return [ids[i] for i in order[:K] if scores[i] > 0]

    return rank


def bm25_baseline(programs: Sequence[Program]) -> Ranker:
    """BM25 from ``bm25s`` with English stop words and the same Snowball stemmer."""
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    corpus_tokens = bm25s.tokenize(
        [baseline_text(p) for p in programs], stopwords="en", stemmer=stemmer, show_progress=False
    )
    retriever = bm25s.BM25()
    retriever.index(corpus_tokens, show_progress=False)
    ids = [p.id for p in programs]

    def rank(query: str) -> list[str]:
        tokens = bm25s.tokenize([query], stopwords="en", stemmer=stemmer, show_progress=False)
        if not tokens.vocab:
            return []
        results, scores = retriever.retrieve(tokens, k=min(K, len(ids)), show_progress=False)
        return [ids[int(i)] for i, s in zip(results[0], scores[0], strict=True) if s > 0]

    return rank


def model_baseline(programs: Sequence[Program]) -> Ranker:
    """The sentence-embedding model alone, as a semantic-search library uses it: each record's
    text (``baseline_text``) and the query read up to 256 tokens, ranked by cosine. Vectors
    computed before (the shipped set, the local cache) are reused."""
    from ..index.cache import cache_root
    from ..index.vector_cache import SHIPPED_VECTORS, VectorCache, cache_file, sequence_key
    from ..language.embedding import shared_encoder

    encoder = shared_encoder()
    sequences = [
        encoder.windows(ids)[0] for ids in encoder.token_ids([baseline_text(p) for p in programs])
    ]
    keys = np.array([sequence_key(s) for s in sequences], dtype=np.uint64)
    local = cache_file(cache_root())
    cache = VectorCache((SHIPPED_VECTORS, local))
    known = sum(cache.contains(int(k)) for k in keys)
    vectors = cache.vectors(keys, sequences.__getitem__, encoder.encode_sequences)
    vectors = vectors.astype(np.float32)
    if known < len(keys):
        with contextlib.suppress(OSError):  # a read-only cache costs the next run the same again
            cache.save(local)
    ids = [p.id for p in programs]

    def rank(query: str) -> list[str]:
        scores = vectors @ encoder.encode([query])[0]
        order = np.argsort(-scores, kind="stable")[:K]
        return [ids[i] for i in order]

    return rank


def compare(
    judgements_path: Path, corpus_path: str | Path | None = None, *, peers: bool = True
) -> list[SystemScores]:
    """Evaluate programfinder and (when ``peers``) the three baselines on the same records:
    plain TF-IDF, BM25 (bm25s) and the sentence-embedding model alone.

    Queries are ranked by ``search``, drafts by ``similar``; the peers rank both as one query.
    A peer whose library is not installed is left out.
    """
    from .opening import open_index

    corpus = load_corpus(corpus_path)
    judgements = load_judgements(judgements_path, corpus)
    index = open_index(corpus_path)

    def ours(query: str) -> list[str]:
        return [hit.id for hit in index.search(query, limit=K)]

    def ours_draft(text: str) -> list[str]:
        return [hit.id for hit in index.similar(text, limit=K)]

    systems = [evaluate("programfinder", ours, judgements, ours_draft)]
    if peers:
        programs = list(corpus)
        systems.append(evaluate("tfidf-default", tfidf_baseline(programs), judgements))
        try:
            bm25 = bm25_baseline(programs)
        except ImportError:
            pass
        else:
            systems.append(evaluate("bm25s", bm25, judgements))
        systems.append(evaluate("model alone", model_baseline(programs), judgements))
    return systems


# ------------------------------------------------------------------------ similar programs
SIMILAR_METRICS = ("hit@1", "hit@3", "mrr")


@dataclass(frozen=True)
class SimilarCase:
    """A draft (or a record id) and the records that should come first."""

    name: str
    query: str
    expected: tuple[str, ...]


def load_similar_cases(drafts_path: Path, pairs_path: Path) -> dict[str, list[SimilarCase]]:
    """Draft cases (``drafts.yaml``: name, text, expected) and record pairs (``pairs.yaml``)."""
    import yaml

    cases: dict[str, list[SimilarCase]] = {}
    try:
        drafts = yaml.safe_load(drafts_path.read_text(encoding="utf-8")) or []
        pairs = yaml.safe_load(pairs_path.read_text(encoding="utf-8")) or []
    except (OSError, yaml.YAMLError) as exc:
        raise ProgramFinderError(f"Cannot read the similarity judgements: {exc}") from exc
    cases["drafts"] = [
        SimilarCase(str(d["name"]), str(d["text"]), tuple(d["expected"])) for d in drafts
    ]
    cases["pairs"] = [SimilarCase(str(p["id"]), str(p["id"]), tuple(p["similar"])) for p in pairs]
    return cases


def similar_scores(
    ranked_per_case: Sequence[tuple[Sequence[str], Sequence[str]]],
) -> dict[str, float]:
    """hit@1, hit@3 and MRR (first expected id in the top 10) over (ranked, expected) pairs."""
    hit1 = hit3 = rr = 0.0
    for ranked, expected in ranked_per_case:
        ranks = [ranked.index(e) + 1 for e in expected if e in ranked[:K]]
        best = min(ranks) if ranks else None
        hit1 += best == 1
        hit3 += best is not None and best <= 3
        rr += 1 / best if best else 0.0
    n = len(ranked_per_case) or 1
    return {"hit@1": hit1 / n, "hit@3": hit3 / n, "mrr": rr / n}


def evaluate_similar(
    drafts_path: Path, pairs_path: Path, corpus_path: str | Path | None = None
) -> dict[str, dict[str, dict[str, float]]]:
    """Similar-program metrics for drafts and for record pairs, TF-IDF alone and blended with LSA.

    Returns ``{"tfidf": {"drafts": {...}, "pairs": {...}}, "tfidf+lsa": {...}}``.
    """
    from .opening import open_index
    from .similarity import LSA_WEIGHT

    index = open_index(corpus_path)
    cases = load_similar_cases(drafts_path, pairs_path)
    known = {p.id for p in index.programs}
    for case in (c for group in cases.values() for c in group):
        unknown = [i for i in case.expected if i not in known]
        if unknown:
            raise ProgramFinderError(
                f"Similarity case {case.name!r} names unknown ids: {', '.join(unknown)}"
            )
    results: dict[str, dict[str, dict[str, float]]] = {}
    for label, weight in (("tfidf", 0.0), ("tfidf+lsa", LSA_WEIGHT)):
        results[label] = {}
        for group, group_cases in cases.items():
            ranked = [
                ([h.id for h in index.similar(c.query, limit=K, lsa_weight=weight)], c.expected)
                for c in group_cases
            ]
            results[label][group] = similar_scores(ranked)
    return results
