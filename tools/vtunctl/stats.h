/* SPDX-License-Identifier: GPL-2.0 */
/* Counters (enum vtun_stat): one table maps each attribute to its name. */
#ifndef VTUNCTL_STATS_H
#define VTUNCTL_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/vtun.h>

struct nlattr;
struct json;

/* The device, peer and SA nests each carry the counters that apply. */
struct vt_stats {
	bool present;				/* the nest was in the reply */
	bool has[VTUN_STAT_MAX + 1];
	uint64_t val[VTUN_STAT_MAX + 1];
};

enum vt_stat_kind {
	VT_STAT_TRAFFIC,	/* packets and bytes, shown on the traffic line */
	VT_STAT_EVENT,		/* expected events, shown when nonzero */
	VT_STAT_DROP,		/* a packet lost for this reason */
};

/* "rx-no-sa" for VTUN_STAT_RX_NO_SA; NULL for types we do not know. */
const char *vt_stat_name(unsigned int type);
enum vt_stat_kind vt_stat_kind(unsigned int type);

int vt_stats_parse(const struct nlattr *nest, struct vt_stats *st);

/* Traffic line, then a "drops:" line with the nonzero drop counters. */
void vt_stats_print(FILE *f, const char *indent, const struct vt_stats *st);
/* "key": {"rx_packets": N, ...} with every counter received, or null. */
void vt_stats_json(struct json *j, const char *key, const struct vt_stats *st);

#endif
