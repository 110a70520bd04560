/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Before Linux 5.11 the SHA-2 declarations were in crypto/sha.h. Found only
 * when the kernel has no crypto/sha2.h of its own (-idirafter, kmod/Kbuild).
 */
#include <crypto/sha.h>
