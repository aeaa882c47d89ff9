"""Calibration: backdrop/camera calibration, per-kiosk threshold profiles, evaluation on labelled photos."""
