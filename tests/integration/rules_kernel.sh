#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The conflict rules' table, each case built for real on this kernel.
. "${TESTLIB:?run from make check}"

check "rules and kernel agree" "${WBRULES:?run from make check}" --kernel
