"""Schemathesis against a running Lotse, signed in with a personal API token.

Started by tests/api/schemathesis.sh (which provides the pinned Schemathesis); see there for the
arguments. Starts `$LOTSE_BIN serve --demo` on a free loopback port with a throwaway data
directory, signs in as the demo admin, creates a token under /account/tokens, runs
`schemathesis run` against /api/v1/openapi.json (staff API, public finder API, HSDS API) and ends
with the line `schemathesis: N passed, M failed` (N, M: API operations).
"""

import argparse
import http.client
import os
import queue
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

# The checks: no 5xx; status codes, content types, headers and bodies as documented; input the
# document calls invalid is refused (`negative_data_rejection`); the token is really required
# (`ignored_auth`); undocumented methods get 405. Not `positive_data_acceptance`: the API has
# rules a JSON Schema cannot state (offset + limit within the search window, towns and kinds of
# organisation by name, no NUL in any text), so a schema-valid request may rightly get 400/422.
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "missing_required_header",
        "unsupported_method",
        "ignored_auth",
        "use_after_free",
        "ensure_resource_availability",
    ]
)

SUITE_EXAMPLES = 25
SUITE_SEED = 20261125


def parse_args():
    p = argparse.ArgumentParser(
        prog="tests/api/schemathesis.sh",
        description="Schemathesis against the OpenAPI document of a demo Lotse. Without "
        "arguments: the test suite's small budget with a fixed seed. For long runs "
        "(scripts/fuzz): --max-examples and/or --max-time, with a random seed unless --seed.",
    )
    p.add_argument("--max-examples", type=int, help=f"test cases per operation (default {SUITE_EXAMPLES})")
    p.add_argument("--max-time", "--duration", dest="max_time", type=int,
                   help="seconds for the whole run; fuzzing repeats until spent")
    p.add_argument("--seed", type=int, help="Hypothesis seed (printed; pass it again to reproduce)")
    p.add_argument("--workers", default="2", help="concurrent workers (default 2)")
    p.add_argument("--keep", action="store_true", help="keep the data directory and reports")
    p.add_argument("extra", nargs=argparse.REMAINDER, help="after --: more `schemathesis run` options")
    return p.parse_args()


def start_server(binary, data_dir, log_path):
    """Starts the demo server on a free port; returns it and its base address."""
    env = dict(os.environ, LOTSE_LOG=os.environ.get("LOTSE_LOG", "warn"))
    log = open(log_path, "wb")
    server = subprocess.Popen(
        [binary, "--data-dir", data_dir, "serve", "--demo", "--listen", "127.0.0.1:0"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=log,
        env=env,
    )
    lines = queue.Queue()

    # Keep reading its output (into the log as well) so that it never blocks on a full pipe.
    def read():
        for raw in server.stdout:
            lines.put(raw)
            log.write(raw)
            log.flush()
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    seen = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            raw = lines.get(timeout=deadline - time.monotonic())
        except queue.Empty:
            break
        if raw is None:
            break
        line = raw.decode("utf-8", "replace")
        seen.append(line)
        m = re.search(r"listening on (http://\S+)", line)
        if m:
            return server, m.group(1)
    server.kill()
    server.wait()
    log.close()
    with open(log_path, encoding="utf-8", errors="replace") as f:
        output = f.read()
    raise SystemExit(f"lotse did not start (within 60 s):\n{output}")


def request(base, method, path, body=None, headers=None):
    url = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read().decode("utf-8", "replace")
    conn.close()
    return response, data


def api_token(base):
    """Signs in as the demo admin and creates a personal API token, as a person would."""
    form = {"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "same-origin"}
    body = urllib.parse.urlencode({"username": "admin", "password": "lotse-demo"})
    response, text = request(base, "POST", "/login", body, form)
    cookie = None
    for name, value in response.getheaders():
        if name.lower() == "set-cookie" and value.startswith("__Host-lotse_session="):
            cookie = value.split(";", 1)[0]
    if response.status != 303 or cookie is None:
        sys.exit(f"login as admin failed: {response.status} {text[:500]}")
    body = urllib.parse.urlencode({"name": "Schemathesis"})
    response, text = request(base, "POST", "/account/tokens", body, dict(form, Cookie=cookie))
    m = re.search(r'value="(lotse_[^"]+)"', text)
    if response.status != 200 or m is None:
        sys.exit(f"creating a token failed: {response.status} {text[:500]}")
    token = m.group(1)
    response, text = request(base, "GET", "/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    if response.status != 200:
        sys.exit(f"the new token is refused: {response.status} {text[:500]}")
    return token


def count(junit_path):
    """(passed, failed) API operations from Schemathesis' JUnit report."""
    passed = failed = 0
    for case in ET.parse(junit_path).getroot().iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is None:
            passed += 1
    return passed, failed


def main():
    args = parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    target = os.environ.get("CARGO_TARGET_DIR", "/var/tmp/lotse-target")
    binary = os.environ.get("LOTSE_BIN") or os.path.join(target, "debug", "lotse")
    if not os.access(binary, os.X_OK):
        sys.exit(f"no lotse binary at {binary} (cargo build -p lotse, or set LOTSE_BIN)")
    schemathesis = os.path.join(os.path.dirname(sys.executable), "schemathesis")

    long_run = args.max_examples is not None or args.max_time is not None
    seed = args.seed if args.seed is not None else (random.randrange(2**31) if long_run else SUITE_SEED)
    examples = args.max_examples or SUITE_EXAMPLES

    work = tempfile.mkdtemp(prefix="lotse-schemathesis-")
    data_dir = os.path.join(work, "data")
    os.mkdir(data_dir)
    server_log = os.path.join(work, "server.log")
    junit = os.path.join(work, "junit.xml")
    try:
        server, base = start_server(binary, data_dir, server_log)
    except SystemExit:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        raise
    code = 1
    try:
        token = api_token(base)
        command = [
            schemathesis, "run", f"{base}/api/v1/openapi.json",
            "--header", f"Authorization: Bearer {token}",
            "--checks", CHECKS,
            "--max-examples", str(examples),
            "--seed", str(seed),
            "--workers", args.workers,
            "--request-timeout", "30",
            "--generation-database", "none",
            "--suppress-health-check", "too_slow,filter_too_much",
            "--report", "junit", "--report-junit-path", junit,
            "--no-color",
        ]
        if args.max_time is not None:
            command += ["--max-time", str(args.max_time)]
        extra = args.extra[1:] if args.extra[:1] == ["--"] else args.extra
        command += extra
        print(f"schemathesis {base}/api/v1/openapi.json: {examples} examples per operation, "
              f"seed {seed}" + (f", at most {args.max_time} s" if args.max_time else ""), flush=True)
        env = dict(os.environ, SCHEMATHESIS_HOOKS=os.path.join(here, "hooks.py"))
        code = subprocess.run(command, cwd=work, stdin=subprocess.DEVNULL, env=env).returncode
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    passed, failed = count(junit) if os.path.exists(junit) else (0, 0)
    if code != 0 and failed == 0:
        failed = 1  # Schemathesis itself failed (schema not loadable, crash): count it.
    if code != 0:
        with open(server_log, encoding="utf-8", errors="replace") as f:
            log = f.read()
        if log.strip():
            print("\nlotse's log (warnings and errors):\n" + log[-20000:])
        print(f"reproduce with: tests/api/schemathesis.sh --seed {seed}"
              + (f" --max-examples {args.max_examples}" if args.max_examples else ""))
    if args.keep:
        print(f"kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    print(f"schemathesis: {passed} passed, {failed} failed")
    return 0 if code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
