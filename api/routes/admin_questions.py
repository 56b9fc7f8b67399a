"""Admin API for the questions partners asked, grouped, with the ones the content misses first."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from agent.question_groups import THRESHOLD, QuestionGroup, group_questions
from api.admin.auth import require_admin
from api.admin.errors import StoreErrorsRoute
from api.deps import AdminStoreDep
from api.routes.admin_kpis import QueryDep
from store.kpi import in_range
from store.question_turns import pair_replies

router = APIRouter(
    prefix="/api/admin",
    tags=["admin: questions"],
    dependencies=[Depends(require_admin)],
    route_class=StoreErrorsRoute,
)


class QuestionsOut(BaseModel):
    """Grouped questions asked in the period and how they were grouped."""

    questions: int
    not_covered: int
    groups: list[QuestionGroup]
    method: str


@router.get("/questions")
def questions(
    query: QueryDep,
    admin_store: AdminStoreDep,
    only: Annotated[Literal["all", "not_covered", "answered"], Query()] = "all",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> QuestionsOut:
    """Every question partners asked in the period (start/end), grouped by similar wording:
    how often, by how many partners, in which session, answered or not covered, the answer
    given. Groups with the most "not covered" replies come first, then the most asked."""
    turns = [
        t
        for t in pair_replies(admin_store.question_lines(query.start))
        if in_range(t.at, query.start, query.end)
    ]
    every = group_questions(turns)
    groups = every
    if only == "not_covered":
        groups = [g for g in groups if g.not_covered]
    elif only == "answered":
        groups = [g for g in groups if g.answered]
    return QuestionsOut(
        questions=len(turns),
        not_covered=sum(g.not_covered for g in every),
        groups=groups[:limit],
        method=f"TF-IDF of character 3-5-grams, cosine similarity >= {THRESHOLD}",
    )
