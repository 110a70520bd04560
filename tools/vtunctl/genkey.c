// SPDX-License-Identifier: GPL-2.0
/*
 * vtunctl genkey [aes128|aes192|aes256|chacha20]: a fresh key for `sa add
 * ... aead`, the cipher key followed by its 4-byte salt (RFC 4106, RFC 7634),
 * as 0x<hex>. Goes
 * straight into a key file: umask 077; vtunctl genkey > ab.key
 */
#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include "cli.h"
#include "output.h"
#include "parse.h"

void vt_usage_genkey(FILE *f)
{
	fputs("Usage: vtunctl genkey [aes128|aes192|aes256|chacha20]\n"
	      "Prints 0x and the hex of a random key and its 4-byte salt (default aes128:\n"
	      "20 bytes; aes192 28, aes256 and chacha20 36), from getrandom(2), for\n"
	      "`sa add ... aead` or a key file:\n"
	      "  (umask 077; vtunctl genkey >ab.key)\n", f);
}

/* All of @len random bytes, from the kernel's initialized pool. */
static int random_bytes(uint8_t *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = getrandom(buf + got, len - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		got += n;
	}
	return 0;
}

int vt_genkey(size_t key_bytes, char *out, size_t outlen)
{
	uint8_t key[VT_KEY_MAX];
	size_t len = key_bytes + VT_SALT_LEN;

	if (len > sizeof(key) || outlen < 2 * len + 3)
		return -EINVAL;
	if (random_bytes(key, len))
		return -errno;
	vt_format_hex(key, len, out);
	explicit_bzero(key, sizeof(key));
	return 0;
}

int vt_cmd_genkey(const struct vt_opts *o, struct vt_args *a)
{
	static const char *const sizes[] = {
		"aes128", "aes192", "aes256", "chacha20", NULL,
	};
	static const size_t key_bytes[] = { 16, 24, 32, 32 };
	char hex[2 * VT_KEY_MAX + 3];
	const char *arg = vt_args_shift(a);
	int rc, idx = 0;

	(void)o;
	if (arg && vt_is_help(arg)) {
		vt_usage_genkey(stdout);
		return VT_EXIT_OK;
	}
	if (arg) {
		rc = vt_cli_keyword("key size", arg, sizes, &idx);
		if (rc)
			return rc;
	}
	if (a->argc)
		return vt_usage_error("genkey: unexpected '%.32s'", a->argv[0]);
	rc = vt_genkey(key_bytes[idx], hex, sizeof(hex));
	if (rc)
		return vt_fail("genkey: getrandom: %s", strerror(-rc));
	puts(hex);
	explicit_bzero(hex, sizeof(hex));
	return VT_EXIT_OK;
}
