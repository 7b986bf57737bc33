// SPDX-License-Identifier: GPL-2.0-or-later
/* systemd units and containers from /proc/PID/cgroup text. */
#include "config.h"
#include <string.h>

#include "origin.h"
#include "unit.h"

#define ID64 "3f2a9c1b7d4e5f60718293a4b5c6d7e8f90112233445566778899aabbccddeef"

static struct wb_origin parse(const char *text)
{
	struct wb_origin o;

	memset(&o, 0, sizeof(o));
	origin_parse_cgroup(text, strlen(text), &o);
	return o;
}

int main(void)
{
	struct wb_origin o;

	o = parse("0::/system.slice/nginx.service\n");
	CHECK_STR(o.unit, "nginx.service");
	CHECK(!o.user_unit && !o.runtime[0]);

	o = parse("12:pids:/system.slice/x.service\n1:name=systemd:/system.slice/redis.service\n0::/\n");
	CHECK_STR(o.unit, "redis.service");

	o = parse("0::/user.slice/user-1000.slice/user@1000.service/app.slice/app.service\n");
	CHECK_STR(o.unit, "app.service");
	CHECK(o.user_unit);

	o = parse("0::/user.slice/user-1000.slice/user@1000.service/init.scope\n");
	CHECK_STR(o.unit, "init.scope");
	CHECK(o.user_unit);

	o = parse("0::/user.slice/user-1000.slice/session-3.scope\n");
	CHECK_STR(o.unit, "session-3.scope");
	CHECK(!o.user_unit);

	o = parse("0::/system.slice/docker-" ID64 ".scope\n");
	CHECK_STR(o.runtime, "docker");
	CHECK_STR(o.container, "3f2a9c1b7d4e");

	o = parse("0::/docker/" ID64 "\n");
	CHECK_STR(o.runtime, "docker");
	CHECK_STR(o.container, "3f2a9c1b7d4e");

	o = parse("0::/machine.slice/libpod-" ID64 ".scope/container\n");
	CHECK_STR(o.runtime, "podman");
	CHECK_STR(o.container, "3f2a9c1b7d4e");

	o = parse("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1a2b_3c4d.slice/cri-containerd-" ID64 ".scope\n");
	CHECK_STR(o.runtime, "containerd");
	CHECK_STR(o.container, "3f2a9c1b7d4e5");	/* as crictl prints it */
	CHECK_STR(o.pod, "1a2b-3c4d");

	o = parse("0::/kubepods.slice/kubepods-pod99.slice/crio-" ID64 ".scope\n");
	CHECK_STR(o.runtime, "cri-o");
	CHECK_STR(o.container, "3f2a9c1b7d4e5");
	CHECK_STR(o.pod, "99");

	o = parse("0::/kubepods/burstable/pod5e6f/" ID64 "\n");
	CHECK_STR(o.runtime, "containerd");
	CHECK_STR(o.container, "3f2a9c1b7d4e5");
	CHECK_STR(o.pod, "5e6f");

	o = parse("0::/lxc.payload.web1/system.slice/nginx.service\n");
	CHECK_STR(o.runtime, "lxc");
	CHECK_STR(o.container, "web1");
	CHECK_STR(o.unit, "nginx.service");

	/* Not a container: a 64-hex directory anywhere else. */
	o = parse("0::/system.slice/" ID64 "\n");
	CHECK(!o.runtime[0]);

	/* Hostile bytes stay bytes: escaped later, never a crash. */
	o = parse("0::/system.slice/\033[2J\xff.service\n");
	CHECK_STR(o.unit, "\033[2J\xff.service");
	o = parse("0::");
	CHECK(!o.unit[0]);
	o = parse("");
	CHECK(!o.unit[0]);
	return unit_done();
}
