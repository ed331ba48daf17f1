class Conflict(Exception):
    """The record is not in a state that allows this (answered 409)."""
