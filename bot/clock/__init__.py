"""The clock: reminders and digests planned into the outbox, and the scheduler that runs them."""
