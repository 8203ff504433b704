"""grafana-snapshot: a health probe, then a dashboard snapshot with every panel's data
embedded, saved as an artifact."""
