"""Extraction knowledge shared by the generic fallback and the site modules: article data embedded in pages
(:mod:`.embedded`) and the shape of Korean article text (:mod:`.korean`)."""
