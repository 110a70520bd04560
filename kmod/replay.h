/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VTUN_REPLAY_H
#define _VTUN_REPLAY_H

/*
 * Anti-replay window (RFC 4303 3.4.3) and extended sequence number
 * reconstruction (RFC 4303 Appendix A). Pure logic with no locking: the
 * caller serialises updates. Also built in userspace by tests/unit.
 */

#ifdef __KERNEL__
#include <linux/types.h>
#endif

struct vtun_replay {
	u64 top;		/* highest authenticated sequence number */
	u32 window;		/* packets below top still accepted; 0 = off */
	u32 nwords;		/* bitmap words, a power of two */
	unsigned long bitmap[];	/* ring: bit (seq mod nwords * BITS_PER_LONG) */
};

struct vtun_replay *vtun_replay_alloc(u32 window, u64 top, gfp_t gfp);
void vtun_replay_free(struct vtun_replay *r);

u64 vtun_replay_infer_seq(const struct vtun_replay *r, u32 seq_lo, bool esn);
bool vtun_replay_check(const struct vtun_replay *r, u64 seq);
bool vtun_replay_advance(struct vtun_replay *r, u64 seq);

#endif /* _VTUN_REPLAY_H */
