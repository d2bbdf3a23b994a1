"""Compatibility shim: the console parser now lives in tools/kiln/ktap.py (the kiln package
every host tool shares). `import ktap` with tools/lab on sys.path still works and gives
that very module."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from kiln import ktap as _ktap  # noqa: E402

sys.modules[__name__] = _ktap
