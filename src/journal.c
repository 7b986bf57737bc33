// SPDX-License-Identifier: GPL-2.0-or-later
/* journal: sd_journal_send with whybind's fields (journal.h). */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <systemd/sd-journal.h>
#include <syslog.h>
#include <unistd.h>

#include "journal.h"

bool journal_is_stdout(void)
{
	const char *s = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!s || sscanf(s, "%llu:%llu", &dev, &ino) != 2)
		return false;
	return fstat(STDOUT_FILENO, &st) == 0 &&
	       (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

int journal_send(const struct wb_journal_entry *e)
{
	/* Every field is sent, empty or not: a query on one is then
	 * answered the same way for every entry. */
	return sd_journal_send("MESSAGE=%s", or_empty(e->message),
			       "MESSAGE_ID=" WB_JOURNAL_MESSAGE_ID,
			       "PRIORITY=%d", LOG_WARNING,
			       "WHYBIND_PROTOCOL=%s", or_empty(e->protocol),
			       "WHYBIND_ADDRESS=%s", or_empty(e->address),
			       "WHYBIND_PORT=%d", e->port,
			       "WHYBIND_ERRNO=%s", or_empty(e->errno_name),
			       "WHYBIND_PID=%d", (int)e->pid,
			       "WHYBIND_COMM=%s", or_empty(e->comm),
			       "WHYBIND_UNIT=%s", or_empty(e->unit),
			       "WHYBIND_CAUSE=%s", or_empty(e->cause),
			       "WHYBIND_HOLDER_PIDS=%s", or_empty(e->holder_pids),
			       "WHYBIND_HOLDER_UNIT=%s", or_empty(e->holder_unit),
			       "WHYBIND_REPEATS=%lu", e->repeats,
			       NULL);
}
