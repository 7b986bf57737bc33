// SPDX-License-Identifier: GPL-2.0-or-later
/* bindloop: N times socket(), bind() to 127.0.0.1:PORT, close(); prints
 * the mean nanoseconds per iteration.  With a listener on PORT every
 * bind fails (EADDRINUSE); on a free port every bind succeeds.
 *   bindloop PORT N */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct timespec t0, t1;
	long n = argc > 2 ? atol(argv[2]) : 100000, fails = 0;

	if (argc < 2)
		return 2;
	a.sin_port = htons(atoi(argv[1]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < n; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		fails += bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0;
		close(fd);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("%.0f ns/iter, %ld failed of %ld\n",
	       ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / n, fails, n);
	return 0;
}
