"""E-filing and the case core: drafts, signed documents, submission, registration, judicial acts, tracking."""
