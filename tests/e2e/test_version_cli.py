#!/usr/bin/env python3
"""`namix version`: the project version from CMake, then one line per library
with the version namix uses, checked against what pkg-config says is
installed (and so what namix was built and linked with)."""
import argparse
import re
import subprocess
import sys
import unittest

ARGS = None

# The name `namix version` prints -> the pkg-config module of that library.
PKG_CONFIG = {
    "libmpg123": "libmpg123",
    "libsndfile": "sndfile",
    "libsoxr": "soxr",
    "libebur128": "libebur128",
    "TagLib": "taglib",
    "FFTW": "fftw3f",
    "libcurl": "libcurl",
    "expat": "expat",
    "OpenSSL": "openssl",
    "cpp-httplib": "cpp-httplib",
    "nlohmann_json": "nlohmann_json",
    "toml++": "tomlplusplus",
    "CLI11": "CLI11",
}


def padded(version):
    """'1.13' and '1.13.0' name the same release."""
    parts = version.split(".")
    return ".".join(parts + ["0"] * (3 - len(parts)))


class VersionCommand(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        done = subprocess.run([ARGS.namix, "version"], capture_output=True, text=True, timeout=30)
        cls.returncode, cls.stderr = done.returncode, done.stderr
        cls.lines = done.stdout.splitlines()

    def test_first_line_is_the_cmake_project_version(self):
        self.assertEqual(self.returncode, 0, self.stderr)
        self.assertEqual(self.lines[0], "namix " + ARGS.version)

    def libraries(self):
        found = {}
        for line in self.lines[1:]:
            m = re.fullmatch(r"  (\S+) (\d+\.\d+(?:\.\d+)?[a-z]?)( \(built with\))?", line)
            self.assertIsNotNone(m, "not 'name version': %r" % line)
            found[m.group(1)] = m.group(2)
        return found

    def test_every_linked_library_has_its_installed_version(self):
        found = self.libraries()
        self.assertIn("LAME", found)  # LAME ships no pkg-config file
        for name, module in PKG_CONFIG.items():
            with self.subTest(library=name):
                self.assertIn(name, found)
                installed = subprocess.run(["pkg-config", "--modversion", module],
                                           capture_output=True, text=True, check=True).stdout.strip()
                self.assertEqual(padded(found[name]), padded(installed))


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--namix", required=True)
    parser.add_argument("--version", required=True)
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0]] + rest)
