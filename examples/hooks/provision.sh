#!/bin/sh
# provision.sh DOMAIN.xml - a provisioning pipeline's pre-define hook: tune
# the domain for this host, then define it. Two forms:
#
#   1. a filter: snapshot once, tune, pipe into virsh
#        vtune-xml snapshot > /var/lib/vtune-xml/host.json
#        vtune-xml --host /var/lib/vtune-xml/host.json --profile latency - \
#            < "$1" | virsh define /dev/stdin
#
#   2. --apply: the connection's capabilities are the host, the domains
#      already defined there keep their CPUs, memory and devices, and
#      libvirt validates the definition
#        vtune-xml -c qemu:///system --profile latency --strict --apply "$1"
#
# --strict makes a domain that does not fit (not enough free cores, pages
# or devices) fail the pipeline (exit 5) instead of being defined unpinned.
set -eu
exec vtune-xml -c "${LIBVIRT_DEFAULT_URI:-qemu:///system}" \
    --profile "${VTUNE_XML_PROFILE:-latency}" --strict --apply "$1"
