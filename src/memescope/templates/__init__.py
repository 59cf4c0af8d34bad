"""Templates: the knowledge base, matching images to templates (hash, then geometric verification),
and clustering what no template explains into candidate variants."""

from .clustering import cluster_codes
from .gallery import import_gallery, read_gallery
from .knowledge import add_template, ensure_templates, import_imgflip_templates, list_templates, reference_hashes
from .matching import PHASH_MATCH_RADIUS, MatchDecision, match_hashes, reference_codes

__all__ = [
    "add_template",
    "ensure_templates",
    "import_imgflip_templates",
    "import_gallery",
    "read_gallery",
    "list_templates",
    "reference_hashes",
    "MatchDecision",
    "PHASH_MATCH_RADIUS",
    "match_hashes",
    "reference_codes",
    "cluster_codes",
]
