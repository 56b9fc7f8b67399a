"""The admin area's building blocks: auth, content editing, schemas, demo data and screenshots."""
