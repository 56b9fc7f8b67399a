"""Genie HTTP service: FastAPI app, routes and the WhatsApp transport."""
