// SPDX-License-Identifier: GPL-2.0
/*
 * How AEAD requests are carried out.
 *
 * A tunnel is one flow to the network: one outer UDP 5-tuple, so receive
 * steering puts all of it on one CPU, and a single inner TCP flow sends
 * from one CPU too. Encrypting and decrypting where the packet happens to
 * be would cap a tunnel at one CPU. With parallel_crypto and more than one
 * CPU online, the requests of each direction are spread over all of them
 * and come back in the order they went in, per peer, through padata (the
 * kernel's facility for just this, used by pcrypt for IPsec): ESP replay
 * windows and inner TCP both want that order. Otherwise requests run where
 * they are made.
 *
 * That costs a hand-off per packet both ways, and on our 2-CPU test VMs
 * it measured slower for one flow than working inline (bench/, see
 * Documentation/performance.rst), so it is off by default: worth turning
 * on where many CPUs serve few tunnels.
 *
 * Whatever the mode, a request either completes before vtun_crypt_submit()
 * returns, which returns its result, or later, when @done is called, in
 * softirq-safe context (BHs off). That is the one contract esp.c sees.
 */
#include <crypto/aead.h>
#include <linux/cpumask.h>
#include <linux/moduleparam.h>
#include <linux/padata.h>

#include "crypt.h"
#include "main.h"

static bool parallel_crypto;
module_param(parallel_crypto, bool, 0644);
MODULE_PARM_DESC(parallel_crypto,
		 "Spread encryption and decryption over all CPUs, keeping each peer's packet order (default off)");

/*
 * Tests need the asynchronous completion path on every packet, not only
 * when the FPU happens to be busy: hand each request to a worker that
 * submits it and completes it later from another context, the way an
 * asynchronous transform does.
 */
static bool force_async_crypto;
module_param(force_async_crypto, bool, 0644);
MODULE_PARM_DESC(force_async_crypto,
		 "Debug: complete every AEAD request asynchronously, from a worker");

static struct padata_instance *vtun_padata;
static struct padata_shell *vtun_padata_streams[__VTUN_CRYPT_STREAMS];

static int vtun_crypt_run(struct vtun_crypt_job *job)
{
	return job->encrypt ? crypto_aead_encrypt(job->req) :
			      crypto_aead_decrypt(job->req);
}

/* An asynchronous transform finished a request made inline. */
static void vtun_crypt_async_done(VTUN_CRYPTO_CB_ARG base, int err)
{
	struct vtun_crypt_job *job = vtun_crypto_cb_data(base);

	job->done(job, err);
}

/* ---- parallel, in order ---- */

static void vtun_crypt_serial(struct padata_priv *padata)
{
	struct vtun_crypt_job *job = container_of(padata, struct vtun_crypt_job,
						  padata);

	job->done(job, job->err);
}

/* An asynchronous transform finished a request made by a parallel worker. */
static void vtun_crypt_parallel_async_done(VTUN_CRYPTO_CB_ARG base, int err)
{
	struct vtun_crypt_job *job = vtun_crypto_cb_data(base);

	job->err = err;
	padata_do_serial(&job->padata);
}

static void vtun_crypt_parallel(struct padata_priv *padata)
{
	struct vtun_crypt_job *job = container_of(padata, struct vtun_crypt_job,
						  padata);
	int err;

	aead_request_set_callback(job->req, 0, vtun_crypt_parallel_async_done,
				  job);
	err = vtun_crypt_run(job);
	if (err == -EINPROGRESS)
		return;
	job->err = err;
	padata_do_serial(padata);
}

static bool vtun_crypt_go_parallel(struct vtun_crypt_job *job,
				   enum vtun_crypt_stream stream, u32 order_key)
{
	unsigned int online = num_online_cpus();
	int cb_cpu;

	if (!READ_ONCE(parallel_crypto) || online < 2)
		return false;
	/*
	 * padata keeps order only among the requests that come back on the
	 * same CPU: all requests with one order key do.
	 */
	cb_cpu = cpumask_nth(order_key % online, cpu_online_mask);
	if (cb_cpu >= nr_cpu_ids)
		return false;	/* CPUs going offline: run it here */
	job->padata.parallel = vtun_crypt_parallel;
	job->padata.serial = vtun_crypt_serial;
	return !padata_do_parallel(vtun_padata_streams[stream], &job->padata,
				   &cb_cpu);
}

/* ---- deferred, for tests ---- */

static void vtun_crypt_deferred(struct work_struct *work)
{
	struct vtun_crypt_job *job = container_of(work, struct vtun_crypt_job,
						  work);
	int err;

	local_bh_disable();
	err = vtun_crypt_run(job);
	if (err != -EINPROGRESS)
		job->done(job, err);
	local_bh_enable();
}

/*
 * Carry out @req, which belongs to @job. Returns -EINPROGRESS if @done
 * will report the result later, or the result itself (and @done is not
 * called). Requests of one stream with the same @order_key complete in
 * the order they were submitted. Called with BHs off.
 */
int vtun_crypt_submit(struct vtun_crypt_job *job, struct aead_request *req,
		      bool encrypt, enum vtun_crypt_stream stream,
		      u32 order_key, vtun_crypt_done_t done)
{
	job->req = req;
	job->encrypt = encrypt;
	job->done = done;
	aead_request_set_callback(req, 0, vtun_crypt_async_done, job);

	if (unlikely(READ_ONCE(force_async_crypto))) {
		INIT_WORK(&job->work, vtun_crypt_deferred);
		queue_work(vtun_wq, &job->work);
		return -EINPROGRESS;
	}
	if (vtun_crypt_go_parallel(job, stream, order_key))
		return -EINPROGRESS;
	return vtun_crypt_run(job);
}

int __init vtun_crypt_init(void)
{
	int i;

	vtun_padata = padata_alloc("vtun");
	if (!vtun_padata)
		return -ENOMEM;
	for (i = 0; i < __VTUN_CRYPT_STREAMS; i++) {
		vtun_padata_streams[i] = padata_alloc_shell(vtun_padata);
		if (!vtun_padata_streams[i]) {
			vtun_crypt_uninit();
			return -ENOMEM;
		}
	}
	return 0;
}

/* Every request has completed: their packets held the devices. */
void vtun_crypt_uninit(void)
{
	int i;

	for (i = 0; i < __VTUN_CRYPT_STREAMS; i++) {
		if (vtun_padata_streams[i])
			padata_free_shell(vtun_padata_streams[i]);
		vtun_padata_streams[i] = NULL;
	}
	if (vtun_padata)
		padata_free(vtun_padata);
	vtun_padata = NULL;
}
