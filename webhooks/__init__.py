"""Outbound signed webhook deliveries with their log, and inbound status callbacks."""
