"""Dense retrieval through the real OpenAIEmbeddings client against the local fake server."""

from __future__ import annotations

import pytest
from langchain_core.embeddings import Embeddings

from agent import dense
from agent.dense import DenseRanker, build_dense_ranker, fuse, order_by_similarity
from agent.dense_evidence import dense_texts
from agent.engine import Engine
from agent.retrieval import KnowledgeIndex
from agent.settings import Settings
from evals.fakes.embeddings import vector
from evals.fakes.openai_server import FakeOpenAI, error
from store.kb_files import sample_sessions
from store.sqlite_store import SQLiteStore
from tests.conversation import Conversation


def _ranker(srv: FakeOpenAI) -> DenseRanker:
    settings = Settings(
        openai_api_key="test-key", openai_base_url=srv.base_url, embeddings_timeout_s=2,
        llm_max_retries=0, embeddings_provider="openai",
    )  # fmt: skip
    ranker = build_dense_ranker(settings)
    assert ranker is not None
    return ranker


def test_no_key_means_no_openai_embeddings() -> None:
    assert build_dense_ranker(Settings(openai_api_key=None, embeddings_provider="openai")) is None
    off = Settings(openai_api_key="k", dense_retrieval=False)
    assert build_dense_ranker(off) is None


def test_each_sentence_is_embedded_once_across_searches_and_rebuilds() -> None:
    sessions = sample_sessions()
    with FakeOpenAI() as srv:
        ranker = _ranker(srv)
        index = KnowledgeIndex(sessions, ranker)
        assert index.search("What is the MOQ?")[0].s_no == 3
        first = len(srv.embedding_requests)
        sentences = [u.sentences for u in index.units]
        examples = [(s.s_no, q) for s in sessions for q in s.questions]
        assert ranker.cached == len(set(dense_texts(sentences, examples)))
        index.search("when are commissions paid out?")
        KnowledgeIndex(sessions, ranker).search("How long are quotes valid?")
        # Later searches embed only the question: the passages come from the cache.
        assert len(srv.embedding_requests) == first + 2


def test_embeddings_rerank_and_only_calibrated_ones_vouch() -> None:
    with FakeOpenAI() as srv:
        index = KnowledgeIndex(sample_sessions(), _ranker(srv))
        lexical = KnowledgeIndex(sample_sessions())
        for question in ["How long are quotes valid?", "who do I contact for KYC problems?"]:
            fused, alone = index.find(question), lexical.find(question)
            # Settled by the words: their decision stands and their best session stays in the
            # top three whatever these (random) vectors say; the scores are fused (< 1).
            assert fused.covered == alone.covered is True
            assert alone.ranked[0].s_no in [p.s_no for p in fused.ranked]
            assert all(p.score < 1 for p in fused.ranked) and alone.ranked[0].score > 1
        open_question = "is the sky blue on Sundays?"
        fused, alone = index.find(open_question), lexical.find(open_question)
        # Not settled: ranked all the same, but this model is not calibrated, so never vouches.
        assert not fused.covered and not alone.covered
        assert fused.ranked and all(p.score < 1 for p in fused.ranked)


def test_an_embeddings_outage_falls_back_to_bm25(store: SQLiteStore) -> None:
    with FakeOpenAI() as srv:
        srv.inject(error(500, "down"), seconds=30)
        asha = Conversation(Engine(store, dense=_ranker(srv)), store)
        asha.say("I am a new partner")
        reply = asha.say("What is the MOQ?")
        assert "500 kg per grade" in reply and "(from Session 3" in reply
        assert srv.embedding_requests  # it did try


def test_fuse_adds_reciprocal_ranks() -> None:
    fused = fuse([0, 1, 2], [2, 1, 0])
    assert fused[1] == pytest.approx(2 / 62)
    assert fused[0] == fused[2] == pytest.approx(1 / 61 + 1 / 63)
    weighted = fuse([0, 1], [1, 0], weights=(1.0, 0.5))
    assert weighted[0] == pytest.approx(1 / 61 + 0.5 / 62)
    assert weighted[1] == pytest.approx(1 / 62 + 0.5 / 61)
    assert weighted[1] < weighted[0]  # the first ranking counts for more


class _CountingEmbeddings(Embeddings):
    """Fixed vectors by text (the fake server's), counting what is asked."""

    def __init__(self) -> None:
        self.documents: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.documents += texts
        return [vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return vector(text)


def _rank(ranker: DenseRanker, query: str, texts: list[str]) -> list[int] | None:
    """Indexes of `texts`, most similar first, as retrieval orders them (None: no embeddings)."""
    similarity = ranker.similarities(query, texts)
    return None if similarity is None else order_by_similarity(similarity)


def _top(ranker: DenseRanker, query: str, texts: list[str]) -> int:
    ranked = _rank(ranker, query, texts)
    assert ranked is not None
    return ranked[0]


def test_passage_vectors_are_prepared_once_per_passage_list(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    embeddings = _CountingEmbeddings()
    ranker = DenseRanker(embeddings)
    texts = ["quotes are valid for seven days", "the MOQ is 500 kg per grade", "KYC help"]
    first = _rank(ranker, "how long is a quote valid", texts)
    # Later questions on the same passages reuse the prepared matrix: no hashing, no lookups.
    monkeypatch.setattr(dense, "_key", lambda _text: pytest.fail("passages prepared again"))
    assert first is not None and first[0] == 0
    assert _rank(ranker, "how long is a quote valid", texts) == first
    assert _top(ranker, "minimum order 500 kg", texts) == 1
    monkeypatch.undo()
    # A content edit: a new matrix, and only the changed passage is embedded.
    edited = [*texts[:2], "KYC help: write to support"]
    assert _top(ranker, "write to support about KYC", edited) == 2
    assert embeddings.documents == [*texts, edited[2]]


def test_ranking_is_by_cosine_and_ties_keep_the_passage_order() -> None:
    ranker = DenseRanker(_CountingEmbeddings())
    texts = ["red blue", "green", "blue red", "red blue green", ""]
    # "red blue" and "blue red" embed alike: a tie, in passage order; an empty text last.
    assert _rank(ranker, "red blue", texts) == [0, 2, 3, 1, 4]
    assert _rank(ranker, "anything", []) == []


def test_unit_rows_normalise_and_leave_zero_vectors_at_zero() -> None:
    rows = dense.unit_rows([[3.0, 4.0], [0.0, 0.0]])
    assert rows.tolist() == [[0.6, 0.8], [0.0, 0.0]]
