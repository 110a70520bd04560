// SPDX-License-Identifier: GPL-2.0
/*
 * Replacing a device's whole configuration in one step (DEV_SETCONF):
 * afterwards the device has exactly the peers, routes and SAs asked for,
 * or, if anything fails, exactly what it had before.
 *
 * What exists and is asked for again is left alone, which matters most for
 * SAs: a re-created SA would restart its sequence numbers, i.e. its GCM
 * nonces, under the same key. The work is done in three passes:
 *
 *  plan:   match the request against what exists and allocate everything
 *	    new (SAs with their transforms, endpoints); changes nothing;
 *  link:   create the new peers, publish the new SAs and routes and move
 *	    the sockets: each step can fail and is undone in reverse;
 *  commit: switch outbound SAs, update peers, move and delete what is no
 *	    longer wanted: none of this can fail.
 */
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "config.h"
#include "device.h"
#include "socket.h"

static int vtun_conf_plan_sas(struct vtun_dev *vd, struct vtun_conf *conf,
			      struct netlink_ext_ack *extack)
{
	struct vtun_conf_sa *c;
	struct vtun_sa *sa;
	unsigned int i;

	for (i = 0; i < conf->n_sas; i++) {
		c = &conf->sas[i];
		sa = vtun_sa_find(vd, &c->cfg.key);
		if (sa) {
			if (!vtun_sa_matches(sa, &c->cfg, conf->peers[c->peer].id)) {
				NL_SET_ERR_MSG(extack,
					       "An SA exists with this SPI and direction but other parameters or key: rekey under a new SPI");
				return -EEXIST;
			}
			sa->conf_keep = true;
			continue;
		}
		c->sa = vtun_sa_create(&c->cfg, extack);
		if (IS_ERR(c->sa)) {
			int ret = PTR_ERR(c->sa);

			c->sa = NULL;
			return ret;
		}
	}
	return 0;
}

static int vtun_conf_plan(struct vtun_dev *vd, struct vtun_conf *conf,
			  struct netlink_ext_ack *extack)
{
	struct vtun_conf_peer *p;
	unsigned int i;
	int ret;

	for (i = 0; i < conf->n_peers; i++) {
		p = &conf->peers[i];
		p->peer = vtun_peer_find(vd, p->id);
		if (!p->peer)
			continue;
		p->peer->conf_keep = true;
		ret = vtun_peer_prepare(&p->cfg, &p->ep);
		if (ret)
			return ret;
	}
	for (i = 0; i < conf->n_routes; i++) {
		conf->routes[i].existing = vtun_route_find(&vd->routes,
							   &conf->routes[i].key);
		if (conf->routes[i].existing)
			conf->routes[i].existing->conf_keep = true;
	}
	return vtun_conf_plan_sas(vd, conf, extack);
}

/* Undo vtun_conf_plan(): free what it allocated, clear its marks. */
static void vtun_conf_unplan(struct vtun_dev *vd, struct vtun_conf *conf)
{
	struct vtun_sa *sa;
	unsigned int i;

	for (i = 0; i < conf->n_sas; i++) {
		if (conf->sas[i].sa && !conf->sas[i].linked)
			vtun_sa_discard(conf->sas[i].sa);
		sa = vtun_sa_find(vd, &conf->sas[i].cfg.key);
		if (sa)
			sa->conf_keep = false;
	}
	for (i = 0; i < conf->n_routes; i++)
		if (conf->routes[i].existing)
			conf->routes[i].existing->conf_keep = false;
	for (i = 0; i < conf->n_peers; i++) {
		vtun_peer_unprepare(conf->peers[i].ep);
		if (conf->peers[i].peer && !conf->peers[i].created)
			conf->peers[i].peer->conf_keep = false;
	}
}

/* Undo what vtun_conf_link() did, in reverse. */
static void vtun_conf_unlink(struct vtun_dev *vd, struct vtun_conf *conf)
{
	struct vtun_conf_route *r;
	struct vtun_conf_peer *p;
	unsigned int i;

	for (i = conf->n_routes; i-- > 0;) {
		r = &conf->routes[i];
		if (r->created)
			vtun_route_remove(&vd->routes,
					  vtun_route_find(&vd->routes, &r->key));
	}
	for (i = conf->n_sas; i-- > 0;) {
		if (conf->sas[i].linked) {
			vtun_sa_remove(vd, conf->sas[i].sa);
			conf->sas[i].sa = NULL;
			conf->sas[i].linked = false;
		}
	}
	for (i = conf->n_peers; i-- > 0;) {
		p = &conf->peers[i];
		if (p->created) {
			vtun_peer_remove(p->peer);
			p->peer = NULL;
			p->created = false;
		}
	}
}

static int vtun_conf_link(struct vtun_dev *vd, struct vtun_conf *conf,
			  struct netlink_ext_ack *extack)
{
	struct vtun_conf_route *r;
	struct vtun_conf_peer *p;
	struct vtun_conf_sa *c;
	unsigned int i;
	int ret;

	for (i = 0; i < conf->n_peers; i++) {
		p = &conf->peers[i];
		if (p->peer)
			continue;
		p->peer = vtun_peer_create(vd, p->id, &p->cfg, extack);
		if (IS_ERR(p->peer)) {
			ret = PTR_ERR(p->peer);
			p->peer = NULL;
			return ret;
		}
		p->created = true;
		p->peer->conf_keep = true;
	}
	for (i = 0; i < conf->n_sas; i++) {
		c = &conf->sas[i];
		if (!c->sa)
			continue;
		ret = vtun_sa_link(vd, conf->peers[c->peer].peer, c->sa);
		if (ret)
			return ret;
		c->linked = true;
		c->sa->conf_keep = true;
	}
	for (i = 0; i < conf->n_routes; i++) {
		r = &conf->routes[i];
		if (r->existing)
			continue;
		ret = vtun_route_add(&vd->routes, conf->peers[r->peer].peer,
				     &r->key, extack);
		if (ret)
			return ret;
		r->created = true;
		vtun_route_find(&vd->routes, &r->key)->conf_keep = true;
	}
	/* Last, as the one step that is not undone if a later one fails. */
	ret = vtun_socket_rebind(vd, conf->listen_port, conf->bind_ifindex);
	if (ret)
		NL_SET_ERR_MSG(extack, "Cannot bind the UDP port or underlay device");
	return ret;
}

/* Delete every route, SA and peer that the configuration does not name. */
static void vtun_conf_sweep(struct vtun_dev *vd)
{
	struct vtun_route *r, *rtmp;
	struct vtun_sa *sa, *satmp;
	struct vtun_peer *peer;
	unsigned long id;

	xa_for_each(&vd->peers, id, peer) {
		list_for_each_entry_safe(r, rtmp, &peer->routes, peer_node) {
			if (!r->conf_keep)
				vtun_route_remove(&vd->routes, r);
			r->conf_keep = false;
		}
		list_for_each_entry_safe(sa, satmp, &peer->sas, peer_node) {
			if (!sa->conf_keep)
				vtun_sa_remove(vd, sa);
			sa->conf_keep = false;
		}
		if (!peer->conf_keep)
			vtun_peer_remove(peer);
		else
			peer->conf_keep = false;
	}
}

static void vtun_conf_commit(struct vtun_dev *vd, struct vtun_conf *conf)
{
	struct vtun_conf_route *r;
	struct vtun_conf_peer *p;
	unsigned int i;

	/* New outbound SAs first: moved prefixes find their peer ready. */
	for (i = 0; i < conf->n_sas; i++)
		if (conf->sas[i].linked)
			vtun_sa_activate(conf->sas[i].sa);
	for (i = 0; i < conf->n_peers; i++) {
		p = &conf->peers[i];
		if (!p->created) {
			vtun_peer_commit(p->peer, &p->cfg, p->ep);
			p->ep = NULL;
		}
	}
	for (i = 0; i < conf->n_routes; i++) {
		r = &conf->routes[i];
		if (r->existing && r->existing->peer != conf->peers[r->peer].peer)
			vtun_route_move(r->existing, conf->peers[r->peer].peer);
	}
	vtun_conf_sweep(vd);
	WRITE_ONCE(vd->outer_ttl, conf->outer_ttl);
	WRITE_ONCE(vd->outer_dscp, conf->outer_dscp);
	if (vd->fwmark != conf->fwmark)
		vtun_socket_set_mark(vd, conf->fwmark);
	vtun_dev_config_changed(vd);
}

int vtun_conf_replace(struct vtun_dev *vd, struct vtun_conf *conf,
		      struct netlink_ext_ack *extack)
{
	int ret;

	ASSERT_RTNL();
	lockdep_assert_held(&vd->conf_lock);

	ret = vtun_conf_plan(vd, conf, extack);
	if (ret)
		goto unplan;
	ret = vtun_conf_link(vd, conf, extack);
	if (ret)
		goto unlink;
	vtun_conf_commit(vd, conf);
	return 0;

unlink:
	vtun_conf_unlink(vd, conf);
unplan:
	vtun_conf_unplan(vd, conf);
	return ret;
}
