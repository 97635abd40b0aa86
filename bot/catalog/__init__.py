"""The plan catalog: its schema, the bundled reviewed data, the document parser, and storage."""
