"""Document scans at the counter: intake of uploads, normalisation, quality checks, OCR readings, verification.

Entry point: `kiosk.documents.inspect.inspect_document(kind, data, filename, expected)`. No Flask here.
"""
