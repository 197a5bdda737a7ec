"""The command line every fault test shares: --namix PATH --work DIR, a
fresh work directory, then the test case's suite."""
import argparse
import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "service"))
import service_test as svc  # noqa: E402


def run(case, before_cleaning=None, extra_arguments=None):
    """Runs `case` with svc.ARGS set; `before_cleaning(args)` frees what a
    killed earlier run may hold in the work directory (mounts)."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--namix", required=True)
    parser.add_argument("--work", required=True)
    if extra_arguments:
        extra_arguments(parser)
    args, _ = parser.parse_known_args()
    args.namix = os.path.abspath(args.namix)
    args.work = os.path.abspath(args.work)
    if before_cleaning:
        before_cleaning(args)
    shutil.rmtree(args.work, ignore_errors=True)
    os.makedirs(args.work)
    svc.ARGS = args
    suite = unittest.TestLoader().loadTestsFromTestCase(case)
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)
