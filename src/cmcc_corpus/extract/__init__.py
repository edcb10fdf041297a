"""Extraction: spaCy pipelines, components and the stored mentions and claims."""
