"""The booth: guided capture of the verification photo (no Flask here).

- `countdown`: the stable-frames-then-countdown state machine (pure, injectable clock),
- `finish`: turning the captured frame into the stored JPEG (stamped, with metadata),
- `attempts`: storing every attempt with its results, and the counter's decisions,
- `session`: the worker thread that judges the newest frame continuously and publishes the live state.
"""
