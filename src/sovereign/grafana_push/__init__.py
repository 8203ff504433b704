"""grafana-push: the release annotation in Grafana and the release metrics pushed to
Influx line protocol, a Prometheus Pushgateway or Graphite."""
