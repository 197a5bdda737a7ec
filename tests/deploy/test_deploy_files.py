"""What can be checked of deploy/ without Docker or AWS: shellcheck on the
scripts, the YAML parsed and held to the deployment's rules (Lambda memory,
timeout and disk for a 3-hour remaster, every API route, CORS and
throttling, error alarms, a private versioned bucket with namix's lifecycle
rules, least-privilege IAM), the Dockerfile's packages matched against
scripts/install_deps.sh, the smoke test's syntax.

Run: python3 test_deploy_files.py --root REPO_ROOT
"""

import os
import py_compile
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import yaml

ROOT = None


class CloudFormationLoader(yaml.SafeLoader):
    """serverless.yml uses CloudFormation short tags (!Ref, !GetAtt, ...)."""


def _cfn_tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return {suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {suffix: loader.construct_sequence(node)}
    return {suffix: loader.construct_mapping(node)}


CloudFormationLoader.add_multi_constructor("!", _cfn_tag)


def path(*parts):
    return os.path.join(ROOT, *parts)


def read(*parts):
    with open(path(*parts), encoding="utf-8") as f:
        return f.read()


class ShellScripts(unittest.TestCase):
    def test_shellcheck_clean(self):
        shellcheck = shutil.which("shellcheck")
        self.assertIsNotNone(shellcheck, "shellcheck not installed (scripts/install_deps.sh)")
        scripts = [path("deploy", "deploy_production.sh"), path(".ci", "run")]
        scripts += [path("scripts", f) for f in sorted(os.listdir(path("scripts"))) if f.endswith(".sh")]
        done = subprocess.run([shellcheck, "-S", "warning"] + scripts, capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)

    def test_scripts_are_executable_and_strict(self):
        for script in ("deploy/deploy_production.sh", "scripts/rgw.sh"):
            self.assertTrue(os.access(path(script), os.X_OK), script + " is not executable")
            self.assertIn("set -euo pipefail", read(script), script)


class Serverless(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(path("deploy", "serverless.yml"), encoding="utf-8") as f:
            cls.doc = yaml.load(f, Loader=CloudFormationLoader)
        cls.resources = cls.doc["resources"]["Resources"]

    def test_container_image_memory_and_timeout(self):
        provider = self.doc["provider"]
        self.assertEqual(provider["memorySize"], 2048)
        function = self.doc["functions"]["api"]
        self.assertIn("uri", function["image"])
        self.assertGreaterEqual(function["timeout"], 300, "full-episode jobs need minutes")
        self.assertLessEqual(function["timeout"], 900, "Lambda's maximum")
        # A 3-hour remaster: 432 MB of 320 kbps download + 3 h of stereo float spill.
        spill_mb = 3 * 3600 * 44100 * 2 * 4 / 2**20
        self.assertGreaterEqual(function["ephemeralStorageSize"], 432 + spill_mb)
        self.assertLessEqual(function["ephemeralStorageSize"], 10240, "Lambda's maximum")

    def test_http_api_routes_cors_and_throttling(self):
        routes = {e["httpApi"] for e in self.doc["functions"]["api"]["events"] if "httpApi" in e}
        for route in ("GET /health", "GET /mix/health", "GET /metrics", "GET /mix/themes",
                      "GET /mix/history", "POST /mix/professional", "POST /mix/jobs",
                      "GET /mix/jobs/{id}"):
            self.assertIn(route, routes)
        cors = self.doc["provider"]["httpApi"]["cors"]
        self.assertIn("OPTIONS", cors["allowedMethods"])
        self.assertIn("X-Api-Key", cors["allowedHeaders"])
        settings = self.doc["resources"]["extensions"]["HttpApiStage"]["Properties"]["DefaultRouteSettings"]
        self.assertIn("ThrottlingRateLimit", settings)
        self.assertIn("ThrottlingBurstLimit", settings)

    def test_schedule_polls_subscriptions_and_their_routes_are_served(self):
        events = self.doc["functions"]["api"]["events"]
        schedules = [e["schedule"] for e in events if "schedule" in e]
        self.assertEqual(len(schedules), 1)
        self.assertTrue(schedules[0]["rate"].startswith("rate("))
        self.assertTrue(schedules[0]["enabled"])
        routes = {e["httpApi"] for e in events if "httpApi" in e}
        for route in ("GET /subscriptions", "POST /subscriptions", "DELETE /subscriptions/{id}",
                      "GET /subscriptions/{id}/deliveries", "GET /feeds/{subscription}/{file}"):
            self.assertIn(route, routes)
        self.assertIn("DELETE", self.doc["provider"]["httpApi"]["cors"]["allowedMethods"])

    def test_alarms_on_function_errors_and_emf_error_count(self):
        alarms = [r["Properties"] for r in self.resources.values() if r["Type"] == "AWS::CloudWatch::Alarm"]
        self.assertTrue(any(a.get("Namespace") == "AWS/Lambda" and a.get("MetricName") == "Errors"
                            for a in alarms))
        emf = [m["MetricStat"]["Metric"] for a in alarms for m in a.get("Metrics", []) if "MetricStat" in m]
        self.assertTrue(emf and all(m["Namespace"] == "namix" and m["MetricName"] == "error_count" for m in emf))
        self.assertEqual(len(emf), 5, "one per theme, summed")

    def test_bucket_versioned_private_with_lifecycle_rules(self):
        bucket = self.resources["MixBucket"]["Properties"]
        self.assertEqual(bucket["VersioningConfiguration"]["Status"], "Enabled")
        self.assertTrue(all(bucket["PublicAccessBlockConfiguration"].values()))
        self.assertEqual(len(bucket["PublicAccessBlockConfiguration"]), 4)
        rules = {r["Id"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
        temp = rules["temp-expires-after-7-days"]
        self.assertTrue(temp["Prefix"].endswith("temp/"))
        self.assertEqual(temp["ExpirationInDays"], 7)
        jobs = rules["jobs-expire-after-7-days"]
        self.assertTrue(jobs["Prefix"].endswith("jobs/"))
        self.assertEqual(jobs["ExpirationInDays"], 7)
        mixes = rules["mixes-to-glacier-after-90-days"]
        self.assertTrue(mixes["Prefix"].endswith("mixes/"))
        self.assertEqual(mixes["Transitions"], [{"StorageClass": "GLACIER", "TransitionInDays": 90}])
        # The same rule ids as `namix s3 lifecycle` (src/store/s3_storage.cc).
        code_ids = set(re.findall(r'\{"([a-z0-9-]+)", "[a-z/]*", true', read("src", "store", "s3_storage.cc")))
        self.assertEqual(set(rules), code_ids)

    def test_iam_is_least_privilege(self):
        statements = self.doc["provider"]["iam"]["role"]["statements"]
        for statement in statements:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            self.assertFalse(any(a == "*" or a.endswith(":*") for a in actions), statement)
            self.assertNotEqual(statement["Resource"], "*", statement)
        actions = {a for s in statements for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
        self.assertIn("s3:AbortMultipartUpload", actions)
        self.assertIn("lambda:InvokeFunction", actions)
        self.assertNotIn("s3:PutBucketPolicy", actions)


class Workflow(unittest.TestCase):
    def test_tests_on_push_deploy_on_tag(self):
        with open(path(".github", "workflows", "ci.yml"), encoding="utf-8") as f:
            doc = yaml.safe_load(f)
        triggers = doc[True] if True in doc else doc["on"]  # YAML 1.1 reads `on` as true
        self.assertIn("push", triggers)
        self.assertIn("tags", triggers["push"])
        test_steps = " ".join(str(s.get("run", "")) for s in doc["jobs"]["test"]["steps"])
        self.assertIn(".ci/run", test_steps)
        self.assertIn("make test", read(".ci", "run"))
        deploy = doc["jobs"]["deploy"]
        self.assertEqual(deploy["needs"], "test")
        self.assertIn("refs/tags/", deploy["if"])
        deploy_steps = " ".join(str(s.get("run", "")) for s in deploy["steps"])
        self.assertIn("deploy/deploy_production.sh", deploy_steps)
        self.assertIn("deploy/smoke_test.py", deploy_steps)


class Dockerfile(unittest.TestCase):
    def test_multi_stage_with_lambda_entry_point(self):
        text = read("deploy", "Dockerfile")
        stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, re.MULTILINE)
        self.assertEqual(len(stages), 2, stages)
        self.assertEqual(stages[0][0], "debian:12")
        self.assertTrue(stages[1][0].startswith("debian:12"))
        self.assertIn('ENTRYPOINT ["/usr/local/bin/namix", "lambda"]', text)
        self.assertIn("COPY --from=build", text)
        runtime = text.split("FROM debian:12-slim", 1)[1]
        self.assertNotIn("-dev", runtime, "the runtime stage must not install headers")

    def test_build_packages_are_those_of_install_deps(self):
        text = read("deploy", "Dockerfile")
        build_stage = text.split("FROM debian:12-slim", 1)[0]
        install = re.search(r"apt-get install[^\n]*\\\n((?:.*\\\n)+)", build_stage).group(1)
        words = install.replace("\\", " ").split("&&")[0].split()
        packages = {w for w in words if re.fullmatch(r"[a-z0-9][a-z0-9.+-]+", w)} - {"ca-certificates"}
        self.assertIn("g++", packages)
        wanted = set(read("scripts", "install_deps.sh").split())
        missing = sorted(p for p in packages if p not in wanted)
        self.assertEqual(missing, [], "Dockerfile builds with packages install_deps.sh does not list")


class SmokeTest(unittest.TestCase):
    def test_compiles_and_prints_usage(self):
        with tempfile.TemporaryDirectory() as scratch:  # keep __pycache__ out of the tree
            py_compile.compile(path("deploy", "smoke_test.py"), cfile=os.path.join(scratch, "s.pyc"),
                               doraise=True)
        done = subprocess.run([sys.executable, path("deploy", "smoke_test.py"), "--help"],
                              capture_output=True, text=True)
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("/mix/professional", done.stdout)


if __name__ == "__main__":
    if "--root" in sys.argv:
        i = sys.argv.index("--root")
        ROOT = os.path.abspath(sys.argv[i + 1])
        del sys.argv[i:i + 2]
    else:
        ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    unittest.main(verbosity=2)
