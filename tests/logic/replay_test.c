// SPDX-License-Identifier: GPL-2.0
/*
 * The anti-replay window and ESN reconstruction of kmod/replay.c, checked
 * against a model that is obviously right (a set of every number seen)
 * over long random streams with reordering and duplicates, and against the
 * cases RFC 4303 Appendix A spells out. TAP output.
 */
#include <stdio.h>
#include <string.h>

#include "../../kmod/replay.h"

static int n_test, n_failed;

static void ok(bool cond, const char *name)
{
	n_test++;
	if (!cond)
		n_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", n_test, name);
}

/* The model: accept seq iff it is new and not more than window-1 below top. */
struct model {
	u64 top;
	u32 window;
	unsigned char *seen;	/* indexed by seq, streams stay small */
	size_t size;
};

static bool model_accept(struct model *m, u64 seq)
{
	if (!seq)
		return false;
	if (m->window && seq <= m->top && m->top - seq >= m->window)
		return false;
	if (m->window && m->seen[seq])
		return false;
	m->seen[seq] = 1;
	if (seq > m->top)
		m->top = seq;
	return true;
}

static u64 rnd(void)
{
	static u64 x = 0x9e3779b97f4a7c15ULL;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return x;
}

/*
 * check() and advance() against the model, in lockstep, over a stream
 * mostly in order with reordering up to twice the window, jumps ahead and
 * replays of recent numbers: both must accept exactly what the model
 * accepts, and the top must follow.
 */
static bool lockstep(u32 window, int len)
{
	struct vtun_replay *r = vtun_replay_alloc(window, 0, GFP_KERNEL);
	struct model m = { .window = window };
	u64 next = 1, seq;
	int i;

	m.size = (size_t)len * 40 + 100000;
	m.seen = calloc(m.size, 1);
	for (i = 0; i < len; i++) {
		bool c, a, want;

		switch (rnd() % 8) {
		case 0:
			seq = next > 1 ? next - 1 - rnd() % (2 * (u64)window + 2) : 1;
			break;
		case 1:
			seq = next += rnd() % (3 * (u64)window + 200);
			break;
		case 2:
			seq = next > 8 ? next - rnd() % 8 : next;
			break;
		default:
			seq = next++;
		}
		if (!seq || seq >= m.size)
			continue;
		c = vtun_replay_check(r, seq);
		a = vtun_replay_advance(r, seq);
		want = model_accept(&m, seq);
		if (c != want || a != want || r->top != m.top) {
			printf("# window %u, step %d, seq %llu: check %d advance %d model %d top %llu/%llu\n",
			       window, i, (unsigned long long)seq, c, a, want,
			       (unsigned long long)r->top, (unsigned long long)m.top);
			vtun_replay_free(r);
			free(m.seen);
			return false;
		}
	}
	vtun_replay_free(r);
	free(m.seen);
	return true;
}

static bool basic_window(void)
{
	struct vtun_replay *r = vtun_replay_alloc(64, 0, GFP_KERNEL);
	bool good = true;
	u64 s;

	good &= !vtun_replay_check(r, 0);		/* 0 is never valid */
	for (s = 1; s <= 100; s++)
		good &= vtun_replay_advance(r, s);
	for (s = 1; s <= 100; s++)
		good &= !vtun_replay_advance(r, s);	/* all replays now */
	good &= vtun_replay_advance(r, 200);
	good &= !vtun_replay_check(r, 200 - 64);	/* one too old */
	good &= vtun_replay_advance(r, 200 - 63);	/* the oldest allowed */
	good &= !vtun_replay_advance(r, 200 - 63);
	vtun_replay_free(r);
	return good;
}

static bool window_off(void)
{
	struct vtun_replay *r = vtun_replay_alloc(0, 0, GFP_KERNEL);
	bool good;

	good = vtun_replay_advance(r, 5) && vtun_replay_advance(r, 5) &&
	       vtun_replay_advance(r, 1) && r->top == 5 && !vtun_replay_check(r, 0);
	vtun_replay_free(r);
	return good;
}

/*
 * ESN: for every number from the bottom of the window up to 2^32 - window
 * above it, the high bits are guessed right from the low 32 (RFC 4303 A2).
 */
static bool esn_inference(u32 window)
{
	static const u64 tops[] = {
		1, 63, 64, 65, 1000, 0xffffffffULL - 100, 0xffffffffULL,
		0x100000000ULL, 0x100000000ULL + 10, 0x1ffffff00ULL,
		0x500000005ULL, 0xfffffffe00000010ULL,
	};
	unsigned int i;
	s64 d;

	for (i = 0; i < sizeof(tops) / sizeof(tops[0]); i++) {
		struct vtun_replay *r = vtun_replay_alloc(window, tops[i], GFP_KERNEL);
		s64 deltas[] = { -(s64)window + 1, -1, 0, 1, 2, 1000, 0x7fffffff,
				 (s64)0x100000000LL - window };

		for (d = 0; d < (s64)(sizeof(deltas) / sizeof(deltas[0])); d++) {
			u64 seq = tops[i] + deltas[d];
			u64 got;

			/* below the window, the RFC guesses the next subspace */
			if ((s64)tops[i] + deltas[d] < 1 ||
			    deltas[d] <= -(s64)window)
				continue;
			got = vtun_replay_infer_seq(r, (u32)seq, true);
			if (got != seq) {
				printf("# window %u top %#llx: seq %#llx inferred as %#llx\n",
				       window, (unsigned long long)tops[i],
				       (unsigned long long)seq, (unsigned long long)got);
				vtun_replay_free(r);
				return false;
			}
		}
		vtun_replay_free(r);
	}
	return true;
}

/* Before the first packet of the first subspace nothing can be older. */
static bool esn_no_negative(void)
{
	struct vtun_replay *r = vtun_replay_alloc(64, 10, GFP_KERNEL);
	bool good;

	/* 0xfffffff0 would be in "subspace -1": reported as 0 (invalid). */
	good = vtun_replay_infer_seq(r, 0xfffffff0, true) == 0 &&
	       vtun_replay_infer_seq(r, 5, true) == 5 &&
	       vtun_replay_infer_seq(r, 12345, false) == 12345;
	vtun_replay_free(r);
	return good;
}

/*
 * An SA created with sequence number @top has received it and the window
 * below it (issue 14, item 6): none of those may be accepted, everything
 * above may, and the model agrees from there on.
 */
static bool starts_at(u32 window, u64 top)
{
	struct vtun_replay *r = vtun_replay_alloc(window, top, GFP_KERNEL);
	u64 bottom = top >= window ? top - window + 1 : 1, seq;
	bool good = true;

	for (seq = bottom; seq <= top && good; seq++)
		good = !vtun_replay_check(r, seq) && !vtun_replay_advance(r, seq);
	if (good && bottom > 1)
		good = !vtun_replay_check(r, bottom - 1);
	/* The next ones are new, in any order within the window. */
	if (window < 2)
		good = good && vtun_replay_advance(r, top + 1);
	else
		good = good && vtun_replay_advance(r, top + 2) &&
		       vtun_replay_advance(r, top + 1) &&
		       !vtun_replay_check(r, top + 1);
	if (good && window > 2)
		good = !vtun_replay_check(r, top);
	if (!good)
		printf("# window %u created at %llu\n", window,
		       (unsigned long long)top);
	vtun_replay_free(r);
	return good;
}

int main(void)
{
	static const u32 windows[] = { 1, 2, 32, 63, 64, 65, 128, 1000, 4096 };
	char name[80];
	unsigned int i;

	ok(basic_window(), "window 64: in order, replays, the edge of the window");
	ok(window_off(), "window 0 turns replay protection off");
	for (i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
		snprintf(name, sizeof(name),
			 "window %u agrees with the model over 200000 random packets",
			 windows[i]);
		ok(lockstep(windows[i], 200000), name);
	}
	for (i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
		snprintf(name, sizeof(name),
			 "ESN with window %u: high bits guessed right around 2^32 and beyond",
			 windows[i]);
		ok(esn_inference(windows[i]), name);
	}
	ok(esn_no_negative(), "ESN never guesses a number below 1; without ESN seq is as sent");
	for (i = 0; i < sizeof(windows) / sizeof(windows[0]); i++) {
		static const u64 tops[] = { 1, 5, 63, 64, 1000, 0xfffffffeULL,
					    0x100000005ULL };
		unsigned int t;
		bool good = true;

		for (t = 0; t < sizeof(tops) / sizeof(tops[0]); t++)
			good &= starts_at(windows[i], tops[t]);
		snprintf(name, sizeof(name),
			 "window %u: an SA created at seq S has seen S and the window below",
			 windows[i]);
		ok(good, name);
	}
	printf("1..%d\n", n_test);
	return n_failed ? 1 : 0;
}
