"""Stories across outlets: near-duplicates, same-event story clusters.

* ``dedup`` — MinHash LSH over word shingles links wire copies and reposts;
* ``features`` / ``cluster`` — online same-event clustering over article features;
* ``service`` — the store glue the ingest pipeline calls;
* ``evaluate`` — B-cubed and adjusted Rand index against gold clusters.
"""

from __future__ import annotations

from .dedup import DuplicateLink, NearDuplicates, shingles
from .service import link_duplicates

__all__ = ["DuplicateLink", "NearDuplicates", "link_duplicates", "shingles"]
