"""Evidence archive: content-addressed blob store (ID scans encrypted at rest), signed hash-chained manifests."""
