#!/usr/bin/env bash
# Run by the tests that need it (testing/SystemTools), once per test JVM. Three kinds of test use
# system tools beyond a JDK and Maven: the backup tests PostgreSQL's client tools (pg_dump and
# pg_restore, 15 or newer, to dump the embedded PostgreSQL 15), the metrics test Python 3 with
# prometheus_client (a real Prometheus text-format parser), DeploymentTest systemd-analyze
# (systemd's own check of the unit files) and the console's browser tests a headless Chromium with
# its WebDriver (Debian's chromium and chromium-driver). When one is missing this installs it
# from Debian's packages (as root, or with password-less sudo); when it cannot, it says what is
# missing and the tests that need it fail naming it. On a machine that has them it does nothing.
set -u

pg_client_ok() {
    local tool dir
    for tool in pg_dump pg_restore; do
        if command -v "$tool" >/dev/null 2>&1 \
                && [ "$("$tool" --version | grep -oE '[0-9]+' | head -1)" -ge 15 ]; then
            continue
        fi
        for dir in /usr/lib/postgresql/*/bin; do
            [ -x "$dir/$tool" ] && [ "$(basename "$(dirname "$dir")")" -ge 15 ] 2>/dev/null && continue 2
        done
        return 1
    done
}

prometheus_client_ok() {
    python3 -c 'import prometheus_client' >/dev/null 2>&1 \
        || /usr/bin/python3 -c 'import prometheus_client' >/dev/null 2>&1 \
        || ls /opt/pypi/files/prometheus_client-*.whl >/dev/null 2>&1
}

packages=()
pg_client_ok || packages+=(postgresql-client)
prometheus_client_ok || packages+=(python3-prometheus-client)
command -v systemd-analyze >/dev/null 2>&1 || packages+=(systemd)
command -v chromium >/dev/null 2>&1 || packages+=(chromium)
command -v chromedriver >/dev/null 2>&1 || packages+=(chromium-driver)
[ ${#packages[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
else
    echo "ensure-test-tools: missing ${packages[*]} (Debian packages); install them as root, or the tests that need them fail" >&2
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-test-tools: missing ${packages[*]} and no apt-get here; install their equivalents" >&2
    exit 0
fi
echo "ensure-test-tools: installing ${packages[*]} from Debian's packages" >&2
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}" >&2 \
    || { "${as_root[@]}" apt-get update -q >&2 && "${as_root[@]}" apt-get install -y -q --no-install-recommends "${packages[@]}" >&2; } \
    || echo "ensure-test-tools: could not install ${packages[*]}; the tests that need them fail naming them" >&2
exit 0
