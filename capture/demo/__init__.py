"""The bundled demo video: a real photograph animated into a short clip (see README.md here)."""

from pathlib import Path

DEMO_VIDEO = Path(__file__).resolve().parent / "demo_person.mp4"
