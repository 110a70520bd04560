// SPDX-License-Identifier: GPL-2.0
/*
 * Anti-replay window and ESN reconstruction.
 *
 * The window is a ring of bits indexed by sequence number modulo its size.
 * The ring is at least one word larger than the window, so that moving the
 * top forward only ever clears whole words that lie entirely below the
 * window: no per-bit shifting, and a jump of any size costs at most one
 * pass over the ring.
 */
#ifdef __KERNEL__
#include <linux/bitops.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#endif

#include "replay.h"

static u32 replay_ring_bits(const struct vtun_replay *r)
{
	return r->nwords * BITS_PER_LONG;
}

/*
 * An SA created with sequence number @top has seen it and everything
 * below: mark the window's worth as received, or each of them would be
 * accepted once more.
 */
static void vtun_replay_mark_below(struct vtun_replay *r)
{
	u64 seq, bottom;

	if (!r->window || !r->top)
		return;
	bottom = r->top >= r->window ? r->top - r->window + 1 : 1;
	for (seq = bottom; seq <= r->top; seq++)
		__set_bit(seq & (replay_ring_bits(r) - 1), r->bitmap);
}

struct vtun_replay *vtun_replay_alloc(u32 window, u64 top, gfp_t gfp)
{
	u32 nwords = roundup_pow_of_two(BITS_TO_LONGS(window) + 1);
	struct vtun_replay *r;

	r = kzalloc(struct_size(r, bitmap, nwords), gfp);
	if (!r)
		return NULL;
	r->window = window;
	r->nwords = nwords;
	r->top = top;
	vtun_replay_mark_below(r);
	return r;
}

void vtun_replay_free(struct vtun_replay *r)
{
	kfree(r);
}

/*
 * RFC 4303 Appendix A2.2: guess the high 32 bits of a received sequence
 * number from the low 32 bits and the window. The guess is only confirmed
 * by the ICV, which covers the high bits. Returns 0 (never a valid
 * sequence number) when the guess would fall before the first packet.
 */
u64 vtun_replay_infer_seq(const struct vtun_replay *r, u32 seq_lo, bool esn)
{
	u32 top_lo = (u32)r->top, top_hi = (u32)(r->top >> 32);
	u32 window = r->window ? r->window : 1;
	u32 bottom = top_lo - window + 1;
	u32 seq_hi = top_hi;

	if (!esn)
		return seq_lo;

	if (top_lo >= window - 1) {
		/* The window lies within one 2^32 subspace. */
		if (seq_lo < bottom)
			seq_hi++;
	} else if (seq_lo >= bottom) {
		/* The window spans two subspaces; seq is in the lower one. */
		if (!top_hi)
			return 0;
		seq_hi--;
	}
	return (u64)seq_hi << 32 | seq_lo;
}

/* May a packet with this sequence number be authenticated and accepted? */
bool vtun_replay_check(const struct vtun_replay *r, u64 seq)
{
	u32 bit;

	if (!seq)
		return false;
	if (!r->window || seq > r->top)
		return true;
	if (r->top - seq >= r->window)
		return false;
	bit = seq & (replay_ring_bits(r) - 1);
	return !test_bit(bit, r->bitmap);
}

/*
 * Record an authenticated sequence number. Checks again, because another
 * CPU may have accepted the same number since vtun_replay_check().
 */
bool vtun_replay_advance(struct vtun_replay *r, u64 seq)
{
	u32 bit;

	if (!vtun_replay_check(r, seq))
		return false;

	if (seq > r->top) {
		u64 cur = r->top / BITS_PER_LONG, next = seq / BITS_PER_LONG;
		u64 n = min_t(u64, next - cur, r->nwords);
		u64 i;

		for (i = 1; i <= n; i++)
			r->bitmap[(cur + i) & (r->nwords - 1)] = 0;
		r->top = seq;
	}
	if (r->window) {
		bit = seq & (replay_ring_bits(r) - 1);
		__set_bit(bit, r->bitmap);
	}
	return true;
}
