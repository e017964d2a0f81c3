"""Marshmallow schemas: validate JSON input and load it into domain objects."""
