"""Context builders: turn a domain object into the plain values a .docx template prints."""
