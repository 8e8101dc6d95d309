"""Web surfaces: thin views over services. Nothing imports blueprints."""
