"""Loading marketers' YAML into the domain model, with path:line:col errors."""
