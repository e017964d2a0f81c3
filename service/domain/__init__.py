"""Plain domain objects: what a document says, independent of HTTP, storage and rendering."""
