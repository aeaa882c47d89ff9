"""The verification sheet (网站备案信息真实性核验单): what it holds (`content`), the PDF (`render`), the QR code on
each page (`qr`), printing it for a case and matching a scanned signed sheet back to its case (`service`)."""
