"""Dialogs written as data (conversations/*.yaml): model, loader, engine, state store."""
