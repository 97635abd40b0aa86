"""Platform adapters: each translates its platform to the core's neutral messages and back."""
