"""Similar proposals (提案查重): TF-IDF cosine over character bigrams, in plain Python.

Used while a member writes a proposal and when the office reviews one: the most similar
proposals of this term and past terms are shown (duplicates become 并案 candidates, and a member
sees what was already answered), and the units that handled the most similar past proposals are
offered as suggested units.

Why this shape:
- Offline on both databases, no model download, no outside service: Chinese is not segmented
  into words but cut into the character bigrams of each run of CJK ideographs (no dictionary
  needed, and robust to the place and project names proposals are full of); Latin letters and
  digits count as words ("5G", "G75", "2025").
- Weights are TF-IDF over the candidate corpus (sublinear term frequency, smoothed IDF), so
  the boilerplate every proposal shares (关于, 建议, 加强, 我县) weighs little and the words of the
  subject weigh much; scores are cosines in [0, 1].
- A few thousand proposals fit in memory. No scikit-learn (nor numpy): it would add a large
  dependency to do the same arithmetic at this size.

Caching. Measured on 2,000 generated proposals of ~1,000 characters each, CPU time on the
2-core development machine: cutting the texts into terms ~1.0 s, building the corpus (document
frequencies, IDF, lengths) ~0.6 s, ranking one query against a built corpus ~0.13 s, plus
~0.05 s to read and fingerprint the rows; ~85 MB for the memoised vectors. So:
- each stored text's vector is memoised per process (`cached_tf_vector`, bounded LRU): a
  changed proposal is a new text, so nothing goes stale;
- the corpus of a queryset is kept in a small per-process LRU keyed by a fingerprint of the
  rows' primary keys and texts. Every call still reads the rows (one query), so an edited, added
  or newly visible proposal changes the key and the corpus is rebuilt from the memoised vectors;
  nothing needs invalidating, and nothing is shared across processes (no pickled corpus in
  Redis: unpickling it would cost about what rebuilding does). Office users share one corpus;
  each member's scoped set (their own plus the published ones) is its own key, hence several.
"""

from __future__ import annotations

import hashlib
import math
import operator
import re
import sys
import unicodedata
from collections import Counter, OrderedDict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from threading import Lock
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from proposals.models import HandlingUnit, Proposal

# Below this cosine a proposal is not "similar": unrelated proposals share only boilerplate
# bigrams and score well under it; one on the same subject (a road, a school, a market) scores
# above it (in the tests: unrelated under 0.03, same subject 0.2, an edited copy 0.7).
DEFAULT_THRESHOLD = 0.1

# A title names the subject in a dozen characters; its terms count this many times as often
# as those of the reasons and suggestions.
TITLE_WEIGHT = 3

# CJK unified ideographs (basic, extension A, compatibility).
_CJK = "\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff"
# Full-width letters and digits are matched here and folded to ASCII only where found: NFKC of
# the whole text cost a fifth of the tokenising.
_TOKEN_RE = re.compile(rf"[{_CJK}]+|[a-z0-9\uff10-\uff19\uff41-\uff5a]+")
# Particles that glue phrases together: a run is cut at them so "的建" and "化的" are not counted
# as terms of the subject.
_BREAK_RE = re.compile("[的了着]")


def tokens(text: str) -> list[str]:
    """The terms of `text`: the character bigrams of each CJK run (a lone ideograph as itself),
    and Latin/digit words, case-folded, full-width folded to ASCII ("５Ｇ" is "5g").

    Bigrams, as Lucene's CJK analyzer: trigrams as well were tried and doubled the time and
    memory of a corpus without changing which proposals came first.
    """
    terms: list[str] = []
    add = operator.add
    for chunk in _TOKEN_RE.findall((text or "").lower()):
        if chunk[0] < "\u3400" or chunk[0] >= "\uff10":
            terms.append(unicodedata.normalize("NFKC", chunk))
            continue
        for run in _BREAK_RE.split(chunk) if _BREAK_RE.search(chunk) else (chunk,):
            if len(run) == 1:
                terms.append(run)
            else:
                terms.extend(map(add, run, run[1:]))
    return terms


def term_counts(text: str) -> Counter[str]:
    """How often each term occurs in `text`."""
    return Counter(tokens(text))


def _tf(n: int) -> float:
    # Sublinear: a term said ten times is not ten times the subject.
    return 1.0 + math.log(n)


_TF_SIZE = 64
_TF = (0.0, *(_tf(n) for n in range(1, _TF_SIZE)))


@dataclass(frozen=True, slots=True)
class TermVector:
    """The sublinear term frequencies of one text, split for speed.

    `terms` holds every term; `heavy` the few whose weight is not 1 (title terms, repeated
    ones) with their weight. Sums over a document then run as C-level `map`s over `terms`
    plus a short Python loop over `heavy`, instead of a Python loop over a thousand terms.
    """

    terms: frozenset[str]
    heavy: dict[str, float]

    def __bool__(self) -> bool:
        return bool(self.terms)

    def weight(self, term: str) -> float:
        return self.heavy.get(term, 1.0) if term in self.terms else 0.0


def tf_vector(title: str, body: str = "") -> TermVector:
    """The term vector of a text, its title's terms counted TITLE_WEIGHT times."""
    counts = term_counts(body)
    for term, n in term_counts(title).items():
        counts[term] += n * TITLE_WEIGHT
    # Interned: the vectors of 2,000 proposals otherwise hold millions of copies of the same
    # few hundred thousand bigrams.
    intern = sys.intern
    return TermVector(
        terms=frozenset(map(intern, counts)),
        heavy={intern(t): (_TF[n] if n < _TF_SIZE else _tf(n)) for t, n in counts.items() if n > 1},
    )


# Memoised per text: tokenising is most of the cost of building a corpus, and the texts of
# proposals change rarely. A changed text is a new key, so nothing goes stale; the bound keeps a
# worker's memory in check (a 1,000-character proposal's vector is some 30 kB).
_vector_cache: OrderedDict[tuple[str, str], TermVector] = OrderedDict()
_VECTOR_CACHE_SIZE = 5_000
_vector_lock = Lock()


def cached_tf_vector(title: str, body: str) -> TermVector:
    """tf_vector of a stored document, memoised.

    Queries (a draft being typed) go through tf_vector so they do not crowd the documents out.
    """
    key = (title, body)
    with _vector_lock:
        vector = _vector_cache.get(key)
        if vector is not None:
            _vector_cache.move_to_end(key)
            return vector
    vector = tf_vector(title, body)
    with _vector_lock:
        _vector_cache[key] = vector
        while len(_vector_cache) > _VECTOR_CACHE_SIZE:
            _vector_cache.popitem(last=False)
    return vector


@dataclass(frozen=True)
class Corpus:
    """The IDF weights of a set of texts, with their term vectors and TF-IDF lengths.

    Ranking intersects the query's terms with each document's (a C-level set operation), so no
    inverted index is built: building one cost more than all the queries a corpus serves
    between two changes of the proposals.
    """

    keys: tuple[Hashable, ...]
    vectors: tuple[TermVector, ...]
    norms: tuple[float, ...]
    idf: dict[str, float]

    @classmethod
    def build(cls, documents: Iterable[tuple[Hashable, TermVector]]) -> Corpus:
        """Build from (key, tf_vector) pairs."""
        keys: list[Hashable] = []
        vectors: list[TermVector] = []
        df: Counter[str] = Counter()
        for key, vector in documents:
            keys.append(key)
            vectors.append(vector)
            df.update(vector.terms)
        n_docs = len(keys)
        # Smoothed IDF (as scikit-learn's): a term in every document still weighs a little,
        # so a corpus of one or two proposals can rank at all.
        log = math.log
        idf = {term: log((1 + n_docs) / (1 + d)) + 1.0 for term, d in df.items()}
        idf2 = {term: w * w for term, w in idf.items()}.__getitem__
        norms = tuple(
            math.sqrt(
                sum(map(idf2, v.terms)) + sum(idf2(t) * (w * w - 1.0) for t, w in v.heavy.items())
            )
            for v in vectors
        )
        return cls(keys=tuple(keys), vectors=tuple(vectors), norms=norms, idf=idf)

    def rank(
        self, query: str | TermVector, *, limit: int | None = 5, threshold: float = 0.0
    ) -> list[tuple[Hashable, float]]:
        """The documents most similar to `query`, best first, each with its cosine (> threshold)."""
        q_tf = tf_vector("", query) if isinstance(query, str) else query
        if not q_tf or not self.keys:
            return []
        idf = self.idf
        # Terms no document has still count in the query's length: a text mostly about
        # something else must not score high on the few terms it shares.
        unseen_idf = math.log(1 + len(self.keys)) + 1.0
        q_norm = math.sqrt(sum((q_tf.weight(t) * idf.get(t, unseen_idf)) ** 2 for t in q_tf.terms))
        # cos = sum(q_tf * d_tf * idf^2) / (|q| |d|): fold idf^2 and |q| into the query once.
        q_weights = {t: q_tf.weight(t) * idf[t] ** 2 / q_norm for t in q_tf.terms if t in idf}
        q_terms = q_weights.keys()
        q_weight = q_weights.__getitem__
        scored = []
        for key, vector, norm in zip(self.keys, self.vectors, self.norms, strict=True):
            common = q_terms & vector.terms
            if not common or not norm:
                continue
            dot = sum(map(q_weight, common))
            heavy = vector.heavy
            if heavy:
                dot += sum(q_weight(t) * (heavy[t] - 1.0) for t in common & heavy.keys())
            score = dot / norm
            if score > threshold:
                scored.append((key, score))
        scored.sort(key=lambda pair: pair[1], reverse=True)
        return scored if limit is None else scored[:limit]


def rank(
    query: str,
    documents: Iterable[tuple[Hashable, str]],
    *,
    limit: int | None = 5,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[tuple[Hashable, float]]:
    """Rank `documents` ((key, text) pairs) by similarity to `query`: [(key, cosine)], best first.

    IDF weights come from `documents` themselves; only scores above `threshold` are returned.
    An empty or term-less query returns [].
    """
    corpus = Corpus.build((key, cached_tf_vector("", text)) for key, text in documents)
    return corpus.rank(query, limit=limit, threshold=threshold)


# --- proposals -------------------------------------------------------------------------------

# Corpora of recently used querysets, keyed by a fingerprint of their rows (see the module doc).
_corpus_cache: OrderedDict[str, Corpus] = OrderedDict()
_CORPUS_CACHE_SIZE = 8
_corpus_lock = Lock()


def proposal_text(proposal: Proposal) -> str:
    """The text of a proposal as a query: title, reasons and suggestions."""
    return "\n".join((proposal.title, proposal.reasons, proposal.suggestions))


def _corpus_for(queryset: QuerySet[Proposal]) -> Corpus:
    rows = list(queryset.order_by("pk").values_list("pk", "title", "reasons", "suggestions"))
    digest = hashlib.blake2b(digest_size=16)
    for pk, title, reasons, suggestions in rows:
        digest.update(f"{pk}\x1f{title}\x1f{reasons}\x1f{suggestions}\x1e".encode())
    key = digest.hexdigest()
    with _corpus_lock:
        corpus = _corpus_cache.get(key)
        if corpus is not None:
            _corpus_cache.move_to_end(key)
            return corpus
    corpus = Corpus.build(
        (pk, cached_tf_vector(title, f"{reasons}\n{suggestions}"))
        for pk, title, reasons, suggestions in rows
    )
    with _corpus_lock:
        _corpus_cache[key] = corpus
        while len(_corpus_cache) > _CORPUS_CACHE_SIZE:
            _corpus_cache.popitem(last=False)
    return corpus


def clear_caches() -> None:
    """Forget memoised term counts and corpora (tests measuring a cold start use this)."""
    with _vector_lock:
        _vector_cache.clear()
    with _corpus_lock:
        _corpus_cache.clear()


def _ranked_pks(
    text: str,
    queryset: QuerySet[Proposal],
    *,
    exclude_pk: Any,
    limit: int,
    threshold: float,
) -> list[tuple[Any, float]]:
    ranked = _corpus_for(queryset).rank(text, limit=None, threshold=threshold)
    return [(pk, score) for pk, score in ranked if pk != exclude_pk][:limit]


def similar_proposals(
    text: str,
    *,
    queryset: QuerySet[Proposal],
    exclude_pk: Any = None,
    limit: int = 5,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[tuple[Proposal, float]]:
    """The proposals of `queryset` most similar to `text`: [(proposal, cosine)], best first.

    `queryset` is the caller's user-scoped `Proposal.objects.visible_to(user)` (this term and
    past terms), so nobody is shown a proposal they may not see. `exclude_pk` leaves out the
    proposal being written or reviewed. The proposals come with term, session, lead proposer and
    their assignments' units and replies loaded, for a list showing status, units and replies
    (the caller shows a member only released replies).
    """
    ranked = _ranked_pks(text, queryset, exclude_pk=exclude_pk, limit=limit, threshold=threshold)
    if not ranked:
        return []
    by_pk = {
        p.pk: p
        for p in queryset.filter(pk__in=[pk for pk, _ in ranked])
        .select_related("term", "session", "lead_proposer")
        .prefetch_related("assignments__unit", "assignments__replies")
    }
    return [(by_pk[pk], score) for pk, score in ranked if pk in by_pk]


# How many similar past proposals vote for a unit, and how much an assisting unit's vote counts
# against the lead unit's.
_UNIT_VOTERS = 20
_ASSISTING_WEIGHT = 0.5


def suggested_units(
    text: str,
    *,
    queryset: QuerySet[Proposal],
    exclude_pk: Any = None,
    limit: int = 3,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[tuple[HandlingUnit, float]]:
    """The handling units that handled the proposals most similar to `text`, best first.

    Each similar proposal of `queryset` that was assigned votes for its units with its
    similarity (an assisting unit with half of it); a unit's score is the sum of its votes.
    Pass `exclude_pk` to leave out the proposal being assigned.
    """
    from proposals.models import ProposalUnit

    # Drafts and this session's unassigned proposals are similar too but have no unit to vote
    # with: look among the best few hundred for the first _UNIT_VOTERS that were assigned.
    ranked = _ranked_pks(text, queryset, exclude_pk=exclude_pk, limit=300, threshold=threshold)
    if not ranked:
        return []
    # active(): an assignment a unit gave back (申退) does not vote, the unit was the wrong one.
    assignments = list(
        ProposalUnit.objects.active()
        .filter(proposal_id__in=[pk for pk, _ in ranked])
        .select_related("unit")
    )
    assigned = {a.proposal_id for a in assignments}
    score_of = dict([(pk, score) for pk, score in ranked if pk in assigned][:_UNIT_VOTERS])
    totals: dict[Any, float] = {}
    units: dict[Any, HandlingUnit] = {}
    for assignment in assignments:
        if assignment.proposal_id not in score_of:
            continue
        weight = 1.0 if assignment.is_lead else _ASSISTING_WEIGHT
        totals[assignment.unit_id] = totals.get(assignment.unit_id, 0.0) + (
            score_of[assignment.proposal_id] * weight
        )
        units[assignment.unit_id] = assignment.unit
    best = sorted(totals.items(), key=lambda pair: (-pair[1], units[pair[0]].name))
    return [(units[unit_id], score) for unit_id, score in best[:limit]]
