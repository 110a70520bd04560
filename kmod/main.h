/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VTUN_MAIN_H
#define _VTUN_MAIN_H

struct workqueue_struct;

/*
 * The module's own workqueue, for work that must be finished before the
 * module text goes away (freeing SAs, deferred crypto): unload drains it.
 */
extern struct workqueue_struct *vtun_wq;

#endif /* _VTUN_MAIN_H */
