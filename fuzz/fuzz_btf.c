// SPDX-License-Identifier: GPL-2.0-or-later
/* The kernel's BTF, as whybind reads it for its BPF iterator. */
#include "config.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "owners_bpf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	void *buf = malloc(size ? size : 1);
	struct wb_btf_facts f;

	memcpy(buf, data, size);
	if (owners_bpf_parse_btf(buf, size, &f) == 0 &&
	    (f.f_inode < 0 || f.i_ino < 0 || f.tgid < 0 || !f.iter_func_id))
		abort();
	free(buf);
	return 0;
}
