/* SPDX-License-Identifier: GPL-2.0-or-later */
/* address: the forms of an address users copy from error messages and
 * configs (":8080", ":::3000", "8080/tcp", "udp://0.0.0.0:53"), and the
 * failed bind read out of an error message (message.h), turned into the
 * one form request.c reads: "[ADDRESS:]PORT", "[V6]:PORT", or a PATH. */
#ifndef WB_ADDRESS_H
#define WB_ADDRESS_H

#include "whybind.h"

/* A host name is at most 253 bytes; room for brackets, a zone, a port. */
#define WB_ADDRESS_MAX 320

struct wb_address {
	char target[WB_ADDRESS_MAX];	/* "0.0.0.0:53", "[::]:8080", "8080",
					 * or the PATH/@NAME as given */
	int protocol;			/* 0: not said; IPPROTO_TCP, IPPROTO_UDP */
	int v6only;			/* enum wb_tri: WB_UNKNOWN = not said */
	bool reuseaddr;			/* the server sets SO_REUSEADDR */
	bool reuseport;			/* and SO_REUSEPORT */
	const char *source;		/* "argument" or "message" */
	const char *runtime;		/* message: "go", "nginx"...; else NULL */
	const char *runtime_name;	/* message: "Go", "nginx"...; else NULL */
};

/* What the command line says, to merge with what the address says. */
struct wb_address_opts {
	int protocol;			/* -t / -u, IPPROTO_TCP by default */
	bool proto_given;
	int family;			/* -4 / -6, 0 for neither */
};

/* Read one argument.  Most specific first: a URL (SCHEME://), @NAME,
 * [ADDRESS:]PORT/tcp|udp, a PATH (has a '/'), :PORT (every address,
 * dual-stack [::] as Go means it), unbracketed IPv6:PORT where only one
 * split is an address and a port, else as given ("[ADDRESS:]PORT").
 * Returns 0, or -EINVAL with *err a static message. */
int address_parse(const char *arg, const struct wb_address_opts *o,
		  struct wb_address *a, const char **err);

/* Split "HOST:PORT" at its last colon, as runtimes print it unbracketed
 * (Node's ":::3000", Redis's "::1:6379"), brackets taken off: host "" for
 * ":8080".  Returns 0 or -EINVAL. */
int address_split_last(const char *s, char *host, size_t hcap, char *port,
		       size_t pcap);

/* Write "HOST:PORT" in the form request.c reads (an IPv6 host bracketed;
 * "" the wildcard of `family`).  Returns 0, or -EINVAL if it does not fit. */
int address_join(struct wb_address *a, const char *host, const char *port,
		 int family);

/* The protocol a command line and an address agree on: the address's
 * suffix, scheme or message wins over the default, a clash with -t/-u is
 * an error.  Returns the protocol or -EINVAL with *err set. */
int address_protocol(const struct wb_address *a, const struct wb_address_opts *o,
		     const char **err);

/* The address of the command line: TARGET (address_parse; a pasted error
 * line with a space in it is read as a message), or MESSAGE (message.h;
 * "-" reads stdin).  Returns the protocol (address_protocol) or -EINVAL
 * with *err set. */
int address_read(const char *target, const char *message,
		 const struct wb_address_opts *o, struct wb_address *a,
		 const char **err);

#endif
