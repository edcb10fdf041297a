"""cmcc-corpus: an English and Arabic news-corpus analyzer for CMCC / ISF coverage."""

__version__ = "0.1.0"
