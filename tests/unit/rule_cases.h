/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The conflict rules' table of cases, shared by the pure unit test
 * (test_conflict.c) and the program that builds each case for real
 * (tests/wbrules.c): one old socket, one new bind, and whether the old
 * socket blocks it. */
#ifndef WB_RULE_CASES_H
#define WB_RULE_CASES_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "conflict.h"
#include "request.h"

enum kind { LISTEN, BOUND, TIMEWAIT, UDP, ESTAB };

struct rule_case {
	const char *name;
	enum kind old;
	const char *old_addr;
	int old_v6only, old_reuseaddr, old_reuseport;
	uid_t old_uid;
	int req_protocol;
	const char *req_addr;
	int req_v6only, req_reuseaddr, req_reuseport;
	int want;		/* does the old socket block the bind */
};

#define NOBODY 65534

extern const struct rule_case rule_cases[];
extern const size_t rule_ncases;

/* A numeric address of the table (exit 99 if it does not parse). */
void rule_addr(const char *s, struct wb_addr *a);
/* The case's old socket as the dump would show it (no port set). */
void rule_sock(const struct rule_case *c, struct wb_sock *s);
/* The case's new bind, on port. */
void rule_request(const struct rule_case *c, uint16_t port, struct wb_request *r);

#endif
