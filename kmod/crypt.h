/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VTUN_CRYPT_H
#define _VTUN_CRYPT_H

#include <linux/padata.h>
#include <linux/workqueue.h>

struct aead_request;
struct vtun_crypt_job;

typedef void (*vtun_crypt_done_t)(struct vtun_crypt_job *job, int err);

/* Which stream a request belongs to: each keeps its own order. */
enum vtun_crypt_stream {
	VTUN_CRYPT_TX,
	VTUN_CRYPT_RX,
	__VTUN_CRYPT_STREAMS
};

/*
 * The engine's state for one AEAD request, allocated by the caller with
 * the request (it must outlive the caller's stack).
 */
struct vtun_crypt_job {
	struct padata_priv padata;
	struct work_struct work;
	struct aead_request *req;
	vtun_crypt_done_t done;
	int err;
	bool encrypt;
};

int vtun_crypt_init(void);
void vtun_crypt_uninit(void);

int vtun_crypt_submit(struct vtun_crypt_job *job, struct aead_request *req,
		      bool encrypt, enum vtun_crypt_stream stream,
		      u32 order_key, vtun_crypt_done_t done);

#endif /* _VTUN_CRYPT_H */
