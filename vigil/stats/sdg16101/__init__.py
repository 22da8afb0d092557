"""SDG indicator 16.10.1: its categories (`categories.py`, which the case pages may
import) and its counting rules and table (`counting.py`).

This package's own module imports nothing, so that importing the categories never
imports the counting code, which reads the case records.
"""
