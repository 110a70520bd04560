/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _VTUN_VERSION_H
#define _VTUN_VERSION_H

#define VTUN_VERSION "0.1.0"

#endif
