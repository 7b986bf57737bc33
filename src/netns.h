/* netns: diagnose inside another network namespace. */
#ifndef WB_NETNS_H
#define WB_NETNS_H

/* Enter the network namespace named by an `ip netns` NAME, a PATH such
 * as /proc/PID/ns/net, or a PID.  Only the network namespace changes:
 * /proc is still read from the caller's view, so owners are found.
 * Returns 0 or -errno (-ENOENT: no such namespace). */
int netns_enter(const char *spec);

#endif
