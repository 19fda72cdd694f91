"""A small shop API, the example project of schedviz: see ``shop.main``."""
