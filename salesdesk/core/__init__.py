"""The domain: pure Python rules of selling. No SQL, no Textual, no clock reads."""
