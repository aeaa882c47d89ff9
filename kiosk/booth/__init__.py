"""The booth: guided capture of the verification photo (no Flask here). In the order a photo travels:

- `session`: the worker thread that judges the newest frame continuously and counts down while nothing blocks,
- `countdown`: the stable-frames-then-countdown state machine (pure, injectable clock),
- `live`: the live state (`BoothState`) and what the booth screen and the counter see of it,
- `finish`: turning the captured frame into the stored JPEG (stamped, with metadata),
- `attempts`: where a captured photo becomes a stored attempt, and the counter's decisions on it,
- `station`: the session built from Settings (camera, judge, the recorder of attempts).
"""
