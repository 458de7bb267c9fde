"""Work the service does beside answering requests: delivering webhooks."""
