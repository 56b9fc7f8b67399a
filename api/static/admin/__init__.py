"""The admin dashboard: index.html, app.css and ES modules, served at /admin."""
