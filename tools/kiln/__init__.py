"""Kiln's host-side Python package: one home for what every host tool shares.

    kiln.exitcodes   Kiln's exit codes, read from kernel/harness/exit.h
    kiln.ktap        KTAP/TAP: the console parser, flat TAP files, the strict KTAP validator
    kiln.kunit       the Linux kernel's own KTAP parser (kunit_parser.py), when installed
    kiln.inject      fault-injection specs as the runner takes them (INJECT, INJECT_AT, INJECT_ON)
    kiln.repro       the one-line command that repeats a run

Tools put tools/ on sys.path and `from kiln import ...`. Python 3 standard library only.
"""
import os

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
