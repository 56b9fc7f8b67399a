"""Every admin router (API and dashboard), for create_app to include in one go."""

from __future__ import annotations

from fastapi import APIRouter

from api.routes import (
    admin_activity,
    admin_analytics,
    admin_content,
    admin_dashboard,
    admin_kpis,
    admin_languages,
    admin_partners,
    admin_questions,
    admin_quiz,
    admin_reminders,
)

# Each one answers 404 unless ADMIN_TOKENS is set.
ADMIN_ROUTERS: list[APIRouter] = [
    admin_content.router,
    admin_partners.router,
    admin_reminders.router,
    admin_languages.router,
    admin_analytics.router,
    admin_kpis.router,
    admin_questions.router,
    admin_activity.router,
    admin_quiz.router,
    admin_dashboard.router,
]
