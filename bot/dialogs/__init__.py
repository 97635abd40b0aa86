"""Dialogs written as data (conversations/*.yaml).

- model:   the dialog, its steps, a conversation's state, what registered functions see (REGISTRY);
- loader:  reads and checks the files (a bad file is refused; its last good version keeps serving);
- engine:  the pure step function (start / advance / back / cancel / time out), no SQL;
- store:   the `dialog_state` table, with its optimistic version;
- manager: entry words, timeouts, questions mid-dialog, one dialog interrupting another, conflicts.
"""
