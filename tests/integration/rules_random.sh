#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The property test: random configurations (one or two old sockets: TCP
# LISTEN, bound, ESTABLISHED, TIME_WAIT or UDP, on IPv4, IPv6, dual-stack
# and v4-mapped addresses, random SO_REUSEADDR/SO_REUSEPORT, another uid
# for SO_REUSEPORT) built for real; `whybind --no-probe` must predict what
# the kernel then does with a random bind (tests/wbrules.c).
#
# make check draws from a fixed seed, so that a run is the same run every
# time; CI (.ci/run) runs it once more with a fresh seed, which it prints.
# To replay a seed (CI's, or one of yours), from the build directory:
#
#     make check TESTS=tests/integration/rules_random.sh WB_SEED=N
#
# (and WB_TRIALS=T to stop after the trial that failed, trial T-1).
. "${TESTLIB:?run from make check}"

seed=${WB_SEED:-20240601}
trials=${WB_TRIALS:-1000}
: "${WBRULES:?run from make check}"
check "whybind --no-probe agrees with the kernel (seed $seed, $trials trials)" \
	"$WBRULES" --random "$seed" "$trials" "$WHYBIND"
# Seeds that once found a disagreement in the way whybind gathers its
# facts (not in the rules alone, which test_conflict's cases keep):
# replayed up to the trial that failed.  88831: trial 108, the options of
# a socket that overlaps nothing but opened the port's fast path.  Each
# in a namespace of its own: the run above used the same ports, and its
# TIME_WAIT sockets last 60 s (a replay among them is another test).
for replay in 88831:109; do
	check "replay of seed ${replay%:*} (${replay#*:} trials, own namespace)" \
		unshare -n sh -c 'ip link set lo up && exec "$@"' sh \
		"$WBRULES" --random "${replay%:*}" "${replay#*:}" "$WHYBIND"
done
