"""People: chat accounts linked to departments, registration codes, who receives what."""
