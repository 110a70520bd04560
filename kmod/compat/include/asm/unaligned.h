/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Linux 6.12 moved asm/unaligned.h to linux/unaligned.h. kmod/Kbuild puts
 * kmod/compat/include last on the include path (-idirafter), so this file
 * is only found when the kernel has no asm/unaligned.h of its own.
 */
#include <linux/unaligned.h>
