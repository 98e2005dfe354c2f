#!/usr/bin/env bash
# Installs dependencies, builds, and runs the whole test suite:
#   unit tests (cmocka) and integration tests (network namespaces, AF_XDP) in build/,
#   then the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/,
#   and tests/integration/pmd_reassign_test.sh against build-asan's vswitchd.
# Run as root: integration tests create namespaces, veths and XDP programs.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
# install-deps.sh installs DPDK: require it, so that the DPDK tests can never silently vanish.
scripts/build.sh build -Ddpdk=enabled
scripts/build.sh build-asan -Ddpdk=enabled -Db_sanitize=address,undefined -Db_lundef=false

status=0
meson test -C build --suite unit --suite integration --suite fuzz --print-errorlogs || status=1
meson test -C build-asan --suite unit --print-errorlogs || status=1
# PMD reassignment and port add/del under load, once against the ASan/UBSan vswitchd: the
# test fails on any sanitizer report (leaks included) in the daemon's log.
asan_rc=0
VSWITCHD=$PWD/build-asan/vswitch/vswitchd VSCTL=$PWD/build-asan/ctl/vsctl \
	bash tests/integration/pmd_reassign_test.sh >build-asan/pmd_reassign_test.log 2>&1 || asan_rc=1
[ "$asan_rc" = 0 ] || { status=1; tail -n 60 build-asan/pmd_reassign_test.log; }
echo "pmd_reassign_test with build-asan vswitchd: $([ "$asan_rc" = 0 ] && echo passed || echo FAILED)"

# One closing line over all runs: "tests: N passed, N failed, N skipped".
ASAN_INTEGRATION_RC=$asan_rc python3 - build/meson-logs/testlog.json \
	build-asan/meson-logs/testlog.json <<'PY'
import json, os, sys
counts = {"passed": 0, "failed": 0, "skipped": 0}
# pmd_reassign_test against the ASan vswitchd ran outside meson: count it too.
if os.environ["ASAN_INTEGRATION_RC"] == "0":
    counts["passed"] += 1
else:
    counts["failed"] += 1
    print("failed: pmd_reassign_test (build-asan vswitchd)")
for path in sys.argv[1:]:
    with open(path) as f:
        for line in f:
            r = json.loads(line)
            if r["result"] == "OK":
                counts["passed"] += 1
            elif r["result"] == "SKIP":
                counts["skipped"] += 1
                print(f"skipped: {r['name']}")
            else:
                counts["failed"] += 1
                print(f"failed: {r['name']} ({r['result']})")
print(f"tests: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
PY
exit $status
