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
- Weights are TF-IDF (sublinear term frequency, smoothed IDF), so the boilerplate every
  proposal shares (关于, 建议, 加强, 我县) weighs little and the words of the subject weigh much;
  scores are cosines in [0, 1].
- The IDF comes from every live proposal of the database, whoever asks: the county's
  proposals tell how common a word is better than the part of them one user may see (a
  member's own handful would make every word of theirs rare), and one corpus serves everybody.
  A user's scope only filters which proposals are ranked.
- A few thousand proposals fit in memory. No scikit-learn (nor numpy): it would add a large
  dependency to do the same arithmetic at this size.

Caching (issue 13). Measured at the bench's S=10 (30,000 proposals of ~100 characters) in one
process: reading the rows ~0.3 s, cutting the texts into terms ~0.9 s, building the corpus
(document frequencies, IDF, lengths, inverted index) ~1.0 s; its pickle is ~14 MB and loads in
~0.2 s. When each of three workers built a corpus of its own per scope, two building at once
took both cores and the proposal page's p99 reached 9 s. So:
- each stored text's vector is memoised per process (`cached_tf_vector`, bounded LRU): a
  changed proposal is a new text, so nothing goes stale;
- there is one base corpus per database, of all live proposals (`Proposal.objects`), keyed by
  a generation counter in the shared cache that every save or deletion of a proposal counts up
  (`PROPOSALS`, cppcc.generations). A process keeps its copy in front: a call on a cached
  corpus costs no query and no cache read but the generations' (one round trip). On a miss it
  loads the corpus another process pickled into the shared cache (Redis; the key names the
  database, the generation and `_CORPUS_FORMAT`), and only when there is none builds it, stores
  it there and serves it. While one process builds, the others wait for its corpus rather
  than build the same at once. A value that cannot be read is a miss. A change the signals do
  not see (a queryset update(), bulk_create) shows within CORPUS_MAX_AGE, counted from the
  build;
- a scope (the caller's `visible_to(user)` queryset) costs one query for its primary keys,
  kept per process as a mask over the corpus, by its SQL and a second generation (`SCOPES`)
  that co-signers and assignments count up as well: who may see what changes more often
  than the texts, and costs a query per scope, not a rebuild. `Corpus.rank(allowed=...)`
  ranks only the scope's proposals, exactly as a full scan of them would;
- ranking for the best few scores only the proposals that could be among them, through an
  inverted index (`Corpus.rank`): at S=10 some hundreds of the 30,000, ~10 ms.
"""

from __future__ import annotations

import heapq
import logging
import math
import operator
import re
import sys
import time
import unicodedata
from array import array
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Hashable, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import mul
from threading import Lock
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.db import connections

from cppcc.generations import Generation

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
# proposals change rarely. A changed text is a new key, so nothing goes stale. The bound holds
# every proposal of ten counties' terms (30,000 at the bench's S=10), so a corpus rebuilt after
# a change tokenises only the changed texts; a corpus this process built holds the same
# vectors, so the memo adds only its keys to a worker's memory (a corpus loaded from the shared
# cache holds copies of its own).
_vector_cache: OrderedDict[tuple[str, str], TermVector] = OrderedDict()
_VECTOR_CACHE_SIZE = 40_000
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
    """The IDF weights of a set of texts, with their term vectors, TF-IDF lengths and an
    inverted index.

    Ranking for the best few scores exactly only the documents that could reach them (see
    `rank`), found through `postings` (term -> indices of the documents holding it, ascending)
    and `peaks` (term -> the most any document's weight of it, over its length, can add).
    """

    keys: tuple[Hashable, ...]
    vectors: tuple[TermVector, ...]
    norms: tuple[float, ...]
    idf: dict[str, float]
    postings: dict[str, array] = field(default_factory=dict)
    peaks: dict[str, float] = field(default_factory=dict)

    @classmethod
    def build(cls, documents: Iterable[tuple[Hashable, TermVector]]) -> Corpus:
        """Build from (key, tf_vector) pairs."""
        keys: list[Hashable] = []
        vectors: list[TermVector] = []
        index: dict[str, list[int]] = {}
        for i, (key, vector) in enumerate(documents):
            keys.append(key)
            vectors.append(vector)
            for term in vector.terms:
                found = index.get(term)
                if found is None:
                    index[term] = [i]
                else:
                    found.append(i)
        n_docs = len(keys)
        # Smoothed IDF (as scikit-learn's): a term in every document still weighs a little,
        # so a corpus of one or two proposals can rank at all.
        log = math.log
        idf = {term: log((1 + n_docs) / (1 + len(docs))) + 1.0 for term, docs in index.items()}
        idf2 = {term: w * w for term, w in idf.items()}.__getitem__
        norms = tuple(
            math.sqrt(
                sum(map(idf2, v.terms)) + sum(idf2(t) * (w * w - 1.0) for t, w in v.heavy.items())
            )
            for v in vectors
        )
        inverse = [1.0 / n if n else 0.0 for n in norms]
        peaks = {term: max(map(inverse.__getitem__, docs)) for term, docs in index.items()}
        for v, inv in zip(vectors, inverse, strict=True):
            for term, w in v.heavy.items():
                if w * inv > peaks[term]:
                    peaks[term] = w * inv
        # Arrays of C ints: a quarter of the memory of lists of Python ints.
        postings = {term: array("i", docs) for term, docs in index.items()}
        return cls(
            keys=tuple(keys),
            vectors=tuple(vectors),
            norms=norms,
            idf=idf,
            postings=postings,
            peaks=peaks,
        )

    def rank(
        self,
        query: str | TermVector,
        *,
        limit: int | None = 5,
        threshold: float = 0.0,
        allowed: AbstractSet[int] | bytes | None = None,
    ) -> list[tuple[Hashable, float]]:
        """The documents most similar to `query`, best first, each with its cosine (> threshold).

        Equal scores keep the corpus's order. With a `limit`, the cost follows the documents
        that share the query's rarer terms, not the size of the corpus (MaxScore pruning):
        a few documents of the rarest term give a lower bound on the limit-th best score; the
        query's commonest terms whose greatest possible contributions together stay under it
        cannot lift a document into the list alone, so only the documents holding one of the
        other terms are scored, each exactly as a full scan would.

        `allowed` ranks only some documents, weighed with the whole corpus's IDF: the result is
        that of a full scan with the others left out. It is a set of indices into the corpus,
        or a mask of one byte per document (1: allowed), the compact form scopes are kept in
        (a frozenset of 25,000 indices takes 2 MB, its mask 30 kB).
        """
        q_tf = tf_vector("", query) if isinstance(query, str) else query
        if not q_tf or not self.keys or (limit is not None and limit < 1):
            return []
        keep = members = None
        if isinstance(allowed, bytes | bytearray):
            keep, count = allowed.__getitem__, allowed.count(1)
            members = compress(range(len(allowed)), allowed)
        elif allowed is not None:
            keep, count, members = allowed.__contains__, len(allowed), allowed
        if keep is not None and not count:
            return []
        idf = self.idf
        # Terms no document has still count in the query's length: a text mostly about
        # something else must not score high on the few terms it shares.
        unseen_idf = math.log(1 + len(self.keys)) + 1.0
        q_norm = math.sqrt(sum((q_tf.weight(t) * idf.get(t, unseen_idf)) ** 2 for t in q_tf.terms))
        # cos = sum(q_tf * d_tf * idf^2) / (|q| |d|): fold idf^2 and |q| into the query once.
        q_weights = {t: q_tf.weight(t) * idf[t] ** 2 / q_norm for t in q_tf.terms if t in idf}
        if not q_weights:
            return []
        score = self._scorer(q_weights)
        scored = []
        # A few allowed documents (a handling unit's own proposals) are scored faster one by
        # one than found through postings that mostly point outside them.
        if limit is None or not self.postings or (keep is not None and count <= _SCAN_ALLOWED):
            for i in range(len(self.keys)) if members is None else members:
                value = score(i)
                if value > threshold:
                    scored.append((value, i))
        else:
            # Best bound first: once the bound falls under the limit-th best score found, no
            # further document can enter the list.
            best: list[float] = []
            for bound, i in self._candidates(q_weights, score, limit, threshold, keep):
                if len(best) == limit and bound < best[0] - 1e-9:
                    break
                value = score(i)
                if value > threshold:
                    scored.append((value, i))
                    if len(best) < limit:
                        heapq.heappush(best, value)
                    elif value > best[0]:
                        heapq.heapreplace(best, value)
        scored.sort(key=lambda pair: (-pair[0], pair[1]))
        if limit is not None:
            scored = scored[:limit]
        keys = self.keys
        return [(keys[i], value) for value, i in scored]

    def _scorer(self, q_weights: dict[str, float]):
        q_terms = q_weights.keys()
        q_weight = q_weights.__getitem__
        vectors, norms = self.vectors, self.norms

        def score(i: int) -> float:
            vector, norm = vectors[i], norms[i]
            common = q_terms & vector.terms
            if not common or not norm:
                return 0.0
            heavy = vector.heavy
            if not heavy:
                return sum(map(q_weight, common)) / norm
            # Terms of weight 1, then the others: C-level maps, no Python loop per term.
            weighted = common & heavy.keys()
            dot = sum(map(q_weight, common - weighted)) if weighted else sum(map(q_weight, common))
            return (
                dot + sum(map(mul, map(q_weight, weighted), map(heavy.__getitem__, weighted)))
            ) / norm

        return score

    def _candidates(
        self, q_weights, score, limit: int, threshold: float, keep: Callable[[int], Any] | None
    ) -> list:
        """The allowed documents that may score among the best `limit` (a superset of them),
        as (upper bound of the score, index), best bound first.

        `keep` tells an allowed document (None: all are). The bounds hold for every document,
        so leaving out those not allowed keeps them exact; the seed is chosen among the allowed
        only, so its floor is reached by allowed ones."""
        peaks, postings, idf = self.peaks, self.postings, self.idf
        by_length = sorted(q_weights, key=lambda t: len(postings[t]))
        # A lower bound on the limit-th best score: the exact scores of the documents sharing
        # most of the query's rarest terms (counted in C, over a few short postings).
        shared: Counter[int] = Counter()
        for term in by_length[:_SEED_TERMS]:
            docs = postings[term]
            shared.update(docs if keep is None else filter(keep, docs))
            if shared.total() > _SEED_POSTINGS:
                break
        seed = {i for i, _n in shared.most_common(_SEED_PER_RESULT * limit)}
        floor = threshold
        if len(seed) >= limit:
            best = sorted(map(score, seed), reverse=True)
            floor = max(floor, best[limit - 1])
        # The margins cover rounding: bounds are summed in another order than the scores.
        floor -= 1e-9
        # 1. MaxScore: the commonest terms whose greatest contributions stay under the floor
        # together cannot lift a document holding none of the others above it.
        bounds = sorted(((q_weights[t] * peaks[t], t) for t in q_weights), reverse=True)
        tail = 0.0
        cut = len(bounds)
        while cut and tail + bounds[cut - 1][0] < floor:
            tail += bounds[cut - 1][0]
            cut -= 1
        needed = [term for _bound, term in bounds[:cut]]
        needed_length = sum(map(len, map(postings.__getitem__, needed)))
        infinite = math.inf
        if floor <= 0:
            pool = seed.union(*map(postings.__getitem__, needed))
            return [(infinite, i) for i in (pool if keep is None else filter(keep, pool))]
        # 2. Prefix filter (as in similarity joins): the cosine is at most the length of the
        # unit query vector over the terms a document shares. Walking the rarest terms'
        # postings gives each document the squared length it shares of them (`mass`); with
        # `rest`, that of the terms not walked, sqrt(mass + rest) bounds its score. Once the
        # terms walked carry more than 1 - floor², a document holding none of them cannot
        # reach the floor; walking further (within a budget: a Python step per posting, a
        # few times less than scoring a document) tightens the bound.
        square = floor * floor - 1e-9
        shares = {t: (q_weights[t] / idf[t]) ** 2 for t in q_weights}
        mass: dict[int, float] = {}
        get = mass.get
        rest = 1.0
        length = 0
        required = None
        for term in by_length:
            docs = postings[term]
            budget = _MASS_POSTINGS if required is None else max(_MASS_POSTINGS, 2 * required)
            if length + len(docs) > budget and (required is not None or length):
                break
            # mass[i] += share for each i, looped in C.
            added = map(operator.add, map(get, docs, repeat(0.0)), repeat(shares[term]))
            mass.update(zip(docs, added, strict=False))
            length += len(docs)
            rest -= shares[term]
            if required is None and rest < square:
                required = length
        if required is not None and required <= needed_length:
            pool: Iterable[int] = mass.keys() | seed
        else:
            pool = seed.union(*map(postings.__getitem__, needed))
        if keep is not None:
            pool = filter(keep, pool)
        sqrt = math.sqrt
        found = []
        for i in pool:
            bound = get(i, 0.0) + rest
            if bound >= square:
                found.append((sqrt(bound) if bound > 0 else 0.0, i))
        found.sort(reverse=True)
        return found


# The first lower bound: documents scored per wanted result, chosen among the postings of at
# most this many of the rarest terms, or this many postings.
_SEED_PER_RESULT = 4
_SEED_TERMS = 12
_SEED_POSTINGS = 5_000
# Postings walked to bound each candidate (beyond those needed to find the candidates).
_MASS_POSTINGS = 12_000
# Up to this many allowed documents are scored one by one rather than found through postings:
# at S=10 scoring one costs ~11 µs, the pruned path ~8-13 ms whatever the scope (measured:
# 300 allowed scanned 4.7 ms, pruned 7.3; 700 scanned 10.3, pruned 8.4).
_SCAN_ALLOWED = 500


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

# A change made behind the signals' back (a queryset update(), a bulk_create) is picked up
# after this many seconds at the latest.
CORPUS_MAX_AGE = 15 * 60
# Part of the shared key: counted up whenever Corpus or TermVector change shape, so a process
# running new code never unpickles a corpus pickled by the old.
_CORPUS_FORMAT = 1
# A process that finds another building the corpus waits this long for it (a build takes ~2 s
# at S=10) before building its own; the mark expires on its own if its builder dies.
_BUILD_WAIT = 20.0
_BUILD_POLL = 0.05
_BUILD_MARK_TIMEOUT = 60
# Scopes kept per process: the office's few, and one per member or unit recently served.
_SCOPE_CACHE_SIZE = 64

logger = logging.getLogger(__name__)


def proposal_text(proposal: Proposal) -> str:
    """The text of a proposal as a query: title, reasons and suggestions."""
    return "\n".join((proposal.title, proposal.reasons, proposal.suggestions))


# The base corpus holds the live proposals' texts: only a proposal's save or deletion changes it.
PROPOSALS = Generation("similar-proposals", ("proposals.Proposal",))
# Who may see which proposal: its status and publication, its co-signers, the units it is
# assigned to (Proposal.objects.visible_to). A change costs each process a query per scope,
# not a rebuild of the corpus.
SCOPES = Generation(
    "similar-proposals-scopes",
    ("proposals.Proposal", "proposals.ProposalCosigner", "proposals.ProposalUnit"),
)
generation = PROPOSALS.current


def connect_signals() -> None:
    """Connects the generations' signals (ProposalsConfig.ready)."""
    PROPOSALS.watch()
    SCOPES.watch()


def _generations() -> tuple[int, int]:
    """The corpus's and the scopes' generations, in one round trip to the cache."""
    found = cache.get_many([PROPOSALS.key, SCOPES.key])
    corpus, scopes = found.get(PROPOSALS.key), found.get(SCOPES.key)
    return (
        PROPOSALS.current() if corpus is None else corpus,
        SCOPES.current() if scopes is None else scopes,
    )


@dataclass(frozen=True, slots=True, eq=False)
class _Base:
    """The corpus of every live proposal of a database, as this process holds it."""

    corpus: Corpus
    # Wall-clock time of the build, in whichever process it ran: the age counts from there.
    built_at: float
    position: dict[Any, int]  # pk -> index in the corpus

    @classmethod
    def of(cls, corpus: Corpus, built_at: float) -> _Base:
        return cls(corpus, built_at, {pk: i for i, pk in enumerate(corpus.keys)})

    def fresh(self, now: float) -> bool:
        return now - self.built_at < CORPUS_MAX_AGE


# Per database alias: (generation, base). Checked before anything else, so a warm call reads
# nothing but the generation.
_bases: dict[str, tuple[int, _Base]] = {}
# (db, the scope's SQL and parameters, scopes' generation) -> (the base it indexes, its mask or
# None for all of them). A mask is a byte per proposal: 64 scopes of 30,000 take 2 MB.
_scopes: OrderedDict[tuple, tuple[_Base, bytes | None]] = OrderedDict()
_corpus_lock = Lock()


def _shared_key(db: str, gen: int) -> str:
    # The database's name as well as its alias: two databases served through one cache (the
    # bench's copies) must not read each other's corpus.
    name = connections[db].settings_dict["NAME"]
    return f"similar-proposals:corpus:{_CORPUS_FORMAT}:{db}:{name}:{gen}"


def _load_shared(key: str, now: float) -> _Base | None:
    """The base stored under `key` by any process, or None. A value that cannot be read
    (truncated, pickled by other code, not what we stored) is a miss: the caller builds and
    overwrites it."""
    try:
        value = cache.get(key)
    except Exception:
        logger.warning("unreadable similar-proposals corpus in the cache: %s", key, exc_info=True)
        return None
    if value is None:
        return None
    if not (
        isinstance(value, tuple)
        and len(value) == 3
        and value[0] == _CORPUS_FORMAT
        and isinstance(value[1], float)
        and isinstance(value[2], Corpus)
    ):
        logger.warning("unexpected similar-proposals corpus in the cache: %s", key)
        return None
    base = _Base.of(value[2], value[1])
    return base if base.fresh(now) else None


def _build(db: str) -> Corpus:
    from proposals.models import Proposal

    # The default manager: every live proposal, whoever may see it. Scopes only filter it.
    rows = (
        Proposal.objects.using(db)
        .order_by("pk")
        .values_list("pk", "title", "reasons", "suggestions")
        .iterator(chunk_size=2000)
    )
    return Corpus.build(
        (pk, cached_tf_vector(title, f"{reasons}\n{suggestions}"))
        for pk, title, reasons, suggestions in rows
    )


def _build_shared(db: str, key: str) -> _Base:
    """Build the base and share it; if another process is building it already, wait for its
    corpus instead: two builds at once take both cores for twice as long."""
    mark = f"{key}:building"
    if not cache.add(mark, 1, timeout=_BUILD_MARK_TIMEOUT):
        deadline = time.monotonic() + _BUILD_WAIT
        while time.monotonic() < deadline:
            time.sleep(_BUILD_POLL)
            # The mark first: the builder stores the corpus before it lifts the mark.
            building = cache.get(mark) is not None
            base = _load_shared(key, time.time())
            if base is not None:
                return base
            if not building:  # built but not stored (too large?), or given up
                break
        cache.add(mark, 1, timeout=_BUILD_MARK_TIMEOUT)
    try:
        corpus = _build(db)
        built_at = time.time()
        try:
            cache.set(key, (_CORPUS_FORMAT, built_at, corpus), timeout=CORPUS_MAX_AGE)
        except Exception:
            # This process still has its corpus; the others build their own.
            logger.warning("could not share the similar-proposals corpus", exc_info=True)
    finally:
        cache.delete(mark)
    return _Base.of(corpus, built_at)


def _base_for(db: str, gen: int) -> _Base:
    now = time.time()
    with _corpus_lock:
        cached = _bases.get(db)
    if cached is not None and cached[0] == gen and cached[1].fresh(now):
        return cached[1]
    key = _shared_key(db, gen)
    base = _load_shared(key, now) or _build_shared(db, key)
    with _corpus_lock:
        _bases[db] = (gen, base)
        # The scopes of an older base will not be asked for again, and would keep it alive.
        for old in [k for k, (b, _i) in _scopes.items() if k[0] == db and b is not base]:
            del _scopes[old]
    return base


def _scope_for(queryset: QuerySet[Proposal], base: _Base, gen: int) -> bytes | None:
    """The proposals of `queryset` as a mask over `base` (Corpus.rank's `allowed`), None for
    all of them."""
    pks = queryset.order_by().prefetch_related(None).values_list("pk", flat=True)
    try:
        sql, params = pks.query.sql_with_params()
    except EmptyResultSet:  # a user who may see no proposal at all
        return b""
    key = (pks.db, sql, tuple(map(str, params)), gen)
    with _corpus_lock:
        cached = _scopes.get(key)
        if cached is not None and cached[0] is base:
            _scopes.move_to_end(key)
            return cached[1]
    position = base.position
    mask = bytearray(len(position))
    # mask[i] = 1 for each, looped in C. A proposal outside the base (a caller's queryset over
    # the trash) has nothing to rank.
    indices = map(position.__getitem__, filter(position.__contains__, pks))
    deque(map(mask.__setitem__, indices, repeat(1)), maxlen=0)
    scope = None if mask.count(1) == len(mask) else bytes(mask)
    with _corpus_lock:
        _scopes[key] = (base, scope)
        while len(_scopes) > _SCOPE_CACHE_SIZE:
            _scopes.popitem(last=False)
    return scope


def warm(db: str = "default") -> None:
    """Load (or build) the corpus now: a gunicorn worker calls this as it starts
    (ProposalsConfig.warm_up, cppcc/gunicorn.py), so that its first proposal page does not pay
    for it and the corpus is among the objects frozen out of garbage collection."""
    _base_for(db, _generations()[0])


def clear_caches(*, shared: bool = True) -> None:
    """Forget memoised term vectors, corpora and scopes (tests measuring a cold start use
    this); `shared=False` keeps the corpora stored in the shared cache, as a process started
    afresh finds them."""
    with _vector_lock:
        _vector_cache.clear()
    with _corpus_lock:
        dbs = set(_bases)
        _bases.clear()
        _scopes.clear()
    if shared:
        gen = generation()
        for db in dbs | set(connections):
            key = _shared_key(db, gen)
            cache.delete_many([key, f"{key}:building"])


def _ranked_pks(
    text: str,
    queryset: QuerySet[Proposal],
    *,
    exclude_pk: Any,
    limit: int,
    threshold: float,
) -> list[tuple[Any, float]]:
    gen, scopes_gen = _generations()
    base = _base_for(queryset.db, gen)
    allowed = _scope_for(queryset, base, scopes_gen)
    # One more than wanted: the excluded proposal may be among them.
    ranked = base.corpus.rank(text, limit=limit + 1, threshold=threshold, allowed=allowed)
    return [(pk, score) for pk, score in ranked if pk != exclude_pk][:limit]


def similar_proposals(
    text: str,
    *,
    queryset: QuerySet[Proposal],
    exclude_pk: Any = None,
    limit: int = 5,
    threshold: float = DEFAULT_THRESHOLD,
    with_replies: bool = True,
) -> list[tuple[Proposal, float]]:
    """The proposals of `queryset` most similar to `text`: [(proposal, cosine)], best first.

    `queryset` is the caller's user-scoped `Proposal.objects.visible_to(user)` (this term and
    past terms), so nobody is shown a proposal they may not see. `exclude_pk` leaves out the
    proposal being written or reviewed. The proposals come with term, session, lead proposer and
    their assignments' units and replies loaded, for a list showing status, units and replies
    (the caller shows a member only released replies); `with_replies=False` leaves the replies
    out for a caller that does not show them (one query fewer).
    """
    ranked = _ranked_pks(text, queryset, exclude_pk=exclude_pk, limit=limit, threshold=threshold)
    if not ranked:
        return []
    related = (
        ("assignments__unit", "assignments__replies") if with_replies else ("assignments__unit",)
    )
    by_pk = {
        p.pk: p
        for p in queryset.filter(pk__in=[pk for pk, _ in ranked])
        .select_related("term", "session", "lead_proposer")
        .prefetch_related(*related)
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
