"""Alignment of translation pairs: which units of one article render which of the other."""
