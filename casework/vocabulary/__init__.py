"""The product's vocabulary (DOMAIN.md): stable codes stored in the database, translated labels."""
