// SPDX-License-Identifier: GPL-2.0
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "model.h"

/* run_of() finds a peer's routes and SAs by their leading peer id. */
_Static_assert(offsetof(struct vt_route, peer_id) == 0, "peer_id first");
_Static_assert(offsetof(struct vt_sa, peer_id) == 0, "peer_id first");

void *vt_array_push(struct vt_array *a, size_t size)
{
	void *slot;

	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 8;
		void *items = reallocarray(a->items, cap, size);

		if (!items)
			return NULL;
		a->items = items;
		a->cap = cap;
	}
	slot = (char *)a->items + a->n++ * size;
	memset(slot, 0, size);
	return slot;
}

void vt_array_free(struct vt_array *a)
{
	free(a->items);
	memset(a, 0, sizeof(*a));
}

void vt_dev_free(struct vt_dev *dev)
{
	vt_array_free(&dev->peers);
	vt_array_free(&dev->routes);
	vt_array_free(&dev->sas);
}

void vt_devs_free(struct vt_array *devs)
{
	struct vt_dev *list = devs->items;
	size_t i;

	for (i = 0; i < devs->n; i++)
		vt_dev_free(&list[i]);
	vt_array_free(devs);
}

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

static int cmp_peer(const void *a, const void *b)
{
	const struct vt_peer *x = a, *y = b;

	return cmp_u32(x->id, y->id);
}

/* By peer, then IPv4 before IPv6, then address, then length. */
static int cmp_route(const void *a, const void *b)
{
	const struct vt_route *x = a, *y = b;
	int c = cmp_u32(x->peer_id, y->peer_id);

	if (!c)
		c = cmp_u32(x->prefix.addr.family != AF_INET,
			    y->prefix.addr.family != AF_INET);
	if (!c)
		c = memcmp(x->prefix.addr.u.bytes, y->prefix.addr.u.bytes,
			   vt_addr_len(&x->prefix.addr));
	if (!c)
		c = cmp_u32(x->prefix.len, y->prefix.len);
	return c;
}

/* By peer, then outbound before inbound, then SPI. */
static int cmp_sa(const void *a, const void *b)
{
	const struct vt_sa *x = a, *y = b;
	int c = cmp_u32(x->peer_id, y->peer_id);

	if (!c)
		c = cmp_u32(x->dir != VTUN_DIR_OUT, y->dir != VTUN_DIR_OUT);
	if (!c)
		c = cmp_u32(x->spi, y->spi);
	return c;
}

void vt_dev_sort(struct vt_dev *dev)
{
	if (dev->peers.n)
		qsort(dev->peers.items, dev->peers.n, sizeof(struct vt_peer),
		      cmp_peer);
	if (dev->routes.n)
		qsort(dev->routes.items, dev->routes.n, sizeof(struct vt_route),
		      cmp_route);
	if (dev->sas.n)
		qsort(dev->sas.items, dev->sas.n, sizeof(struct vt_sa), cmp_sa);
}

/*
 * Items of a sorted array whose first member, a u32 peer id, equals
 * @peer_id. A route or SA whose peer vanished between two dumps belongs
 * to no listed peer and is simply not shown.
 */
static const void *run_of(const struct vt_array *a, size_t size,
			  uint32_t peer_id, size_t *count)
{
	const char *items = a->items;
	size_t lo = 0, hi = a->n, end;
	uint32_t id;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		memcpy(&id, items + mid * size, sizeof(id));
		if (id < peer_id)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (end = lo; end < a->n; end++) {
		memcpy(&id, items + end * size, sizeof(id));
		if (id != peer_id)
			break;
	}
	*count = end - lo;
	return *count ? items + lo * size : NULL;
}

const struct vt_route *vt_dev_routes_of(const struct vt_dev *dev,
					uint32_t peer_id, size_t *count)
{
	return run_of(&dev->routes, sizeof(struct vt_route), peer_id, count);
}

const struct vt_sa *vt_dev_sas_of(const struct vt_dev *dev, uint32_t peer_id,
				  size_t *count)
{
	return run_of(&dev->sas, sizeof(struct vt_sa), peer_id, count);
}
