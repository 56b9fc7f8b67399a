"""Completion certificates: issuing (codes, scores), the PDF, links and the completion email."""
