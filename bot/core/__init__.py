"""The core: neutral messages, the router, the inbound pipeline, the outbox, settings and the web app."""
