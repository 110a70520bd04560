#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""
Do Documentation/netlink/specs/vtun.yaml, kmod/uapi/linux/vtun.h and the
genetlink code in kmod/netlink.c describe the same family?

The header's names come from its preprocessed text, their values from the
C compiler (a program built against the header prints them). The kernel's
side is read from netlink.c: nla_policy tables, genl_ops, multicast groups,
the family, and which functions read request attributes or announce
events. Names map as YNL (the kernel's tools/net/ynl) renders them: the C
name is the upper-cased name-prefix + name with '-' turned into '_'.

Output, one line each, for tests/host/60-netlink-spec.sh to turn into TAP:
	RESULT <0|1> <name>	a check and whether it passed (0) or failed
	SKIP <name>\t<reason>	a check that could not run
	DIAG <text>		why the check before failed

Paths come from the environment, so that a broken copy can be checked:
VTUN_SPEC, VTUN_SPEC_SCHEMA, VTUN_UAPI_H, VTUN_NETLINK_C; CC; KDIR or KSRC
for kernel-only constants in policies (CRYPTO_MAX_ALG_NAME).
"""

import glob
import os
import re
import subprocess
import sys
import tempfile

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
SPEC = os.environ.get('VTUN_SPEC', f'{REPO}/Documentation/netlink/specs/vtun.yaml')
SCHEMA = os.environ.get('VTUN_SPEC_SCHEMA',
                        os.path.join(os.path.dirname(os.path.dirname(SPEC)),
                                     'genetlink-legacy.yaml'))
UAPI_H = os.environ.get('VTUN_UAPI_H', f'{REPO}/kmod/uapi/linux/vtun.h')
NETLINK_C = os.environ.get('VTUN_NETLINK_C', f'{REPO}/kmod/netlink.c')
CC = os.environ.get('CC', 'gcc')

SCALARS = {'u8', 'u16', 'u32', 'u64', 's8', 's16', 's32', 's64', 'uint', 'sint'}
ATTR_TYPES = SCALARS | {'unused', 'pad', 'flag', 'binary', 'string', 'nest',
                        'bitfield32', 'array-nest', 'nest-type-value'}
CHECKS_BY_TYPE = {
    'scalar': {'min', 'max', 'flags-mask'},
    'binary': {'min-len', 'max-len', 'exact-len'},
    'string': {'max-len', 'exact-len', 'unterminated-ok'},
}
OP_FLAGS = {'GENL_ADMIN_PERM': 'admin-perm', 'GENL_UNS_ADMIN_PERM': 'uns-admin-perm'}
MCGRP_FLAGS = {'GENL_MCAST_CAP_NET_ADMIN': 'uns-admin-perm',
               'GENL_MCAST_CAP_SYS_ADMIN': 'admin-perm'}
DONT_VALIDATE = {'GENL_DONT_VALIDATE_STRICT': 'strict',
                 'GENL_DONT_VALIDATE_DUMP': 'dump',
                 'GENL_DONT_VALIDATE_DUMP_STRICT': 'dump-strict'}
MULTICAST_FNS = {'genlmsg_multicast', 'genlmsg_multicast_netns',
                 'genlmsg_multicast_allns', 'genl_notify'}
# nla_put helpers: the YAML type they write, and a fixed length if any.
PUT_TYPES = {
    'nla_put_u8': ('u8', None), 'nla_put_u16': ('u16', None),
    'nla_put_u32': ('u32', None), 'nla_put_u64_64bit': ('u64', None),
    'nla_put_s8': ('s8', None), 'nla_put_s16': ('s16', None),
    'nla_put_s32': ('s32', None), 'nla_put_s64': ('s64', None),
    'nla_put_be16': ('u16', None), 'nla_put_be32': ('u32', None),
    'nla_put_net16': ('u16', None), 'nla_put_net32': ('u32', None),
    'nla_put_uint': ('uint', None), 'nla_put_sint': ('sint', None),
    'nla_put_string': ('string', None), 'nla_put_flag': ('flag', None),
    'nla_put_in_addr': ('binary', 4), 'nla_put_in6_addr': ('binary', 16),
    'nla_put': ('binary', None), 'nla_nest_start': ('nest', None),
    'nla_nest_start_noflag': ('nest', None),
}
C_KEYWORDS = {'if', 'for', 'while', 'switch', 'return', 'sizeof', 'do',
              'else', 'case', 'goto', 'typeof', '__typeof__', 'defined'}


class Fail(Exception):
    """A check found problems (args: list of lines)."""


class Skip(Exception):
    """A check cannot run here (arg: reason)."""


def c_upper(name):
    return name.upper().replace('-', '_')


def c_lower(name):
    return name.lower().replace('-', '_')


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, check=False, **kw)


# ---------------------------------------------------------------------------
# The spec, with the names and values YNL derives from it

class Spec:
    def __init__(self, path):
        with open(path, encoding='utf-8') as f:
            self.first_line = f.readline().rstrip('\n')
            f.seek(0)
            self.y = yaml.safe_load(f)
        y = self.y
        self.name = y['name']
        self.ident = y['name'].replace('-', '_')
        self.version = y.get('version', 1)
        self.fam_key = c_upper(y.get('c-family-name', self.ident + '-family-name'))
        self.ver_key = c_upper(y.get('c-version-name', self.ident + '-family-version'))
        self.max_by_define = y.get('max-by-define', False)

        self.consts = {}	# name -> (C define, value)
        self.enums = {}		# name -> dict(type, enum, entries [(C name, value)])
        for d in y.get('definitions', []):
            if d['type'] == 'const':
                self.consts[d['name']] = (c_upper(f"{self.ident}-{d['name']}"), d['value'])
            elif d['type'] in ('enum', 'flags'):
                self.enums[d['name']] = self._enum(d)

        self.sets = {}		# name -> dict(prefix, enum, cnt, max, attrs {name: attr})
        for s in y['attribute-sets']:
            self.sets[s['name']] = self._attr_set(s)

        ops = y['operations']
        self.op_prefix = c_upper(ops.get('name-prefix', f"{self.name}-cmd-"))
        self.op_enum = self._enum_tag(ops)
        self.op_cnt = c_upper(y.get('cmd-cnt-name', f"__{self.op_prefix}max"))
        self.op_max = c_upper(y.get('cmd-max-name', f"{self.op_prefix}max"))
        self.ops = {}		# name -> dict(c, value, yaml)
        val = 1
        for op in ops['list']:
            val = op.get('value', val)
            self.ops[op['name']] = {'c': self.op_prefix + c_upper(op['name']),
                                    'value': val, 'y': op}
            val += 1
        self.mcgrps = {}	# name -> C define
        for g in y.get('mcast-groups', {}).get('list', []):
            self.mcgrps[g['name']] = c_upper(
                g.get('c-define-name', f"{self.ident}-mcgrp-{g['name']}"))

        # C name -> (set, attr) for every attribute
        self.attr_by_c = {}
        for sname, s in self.sets.items():
            for aname, a in s['attrs'].items():
                self.attr_by_c[a['c']] = (sname, aname)

    @staticmethod
    def _enum_tag(obj):
        if 'enum-name' in obj:
            return c_lower(obj['enum-name']) if obj['enum-name'] else None
        return None

    def _enum(self, d):
        if 'enum-name' in d:
            tag = c_lower(d['enum-name']) if d['enum-name'] else None
        else:
            tag = c_lower(f"{self.ident}-{d['name']}")
        prefix = d.get('name-prefix', f"{self.ident}-{d['name']}-")
        entries = []
        val = d.get('value-start', 0)
        for e in d['entries']:
            e = {'name': e} if isinstance(e, str) else e
            val = e.get('value', val)
            user = 1 << val if d['type'] == 'flags' else val
            entries.append((c_upper(prefix + e['name']), user))
            val += 1
        return {'type': d['type'], 'enum': tag, 'entries': entries,
                'names': [e if isinstance(e, str) else e['name'] for e in d['entries']]}

    def _attr_set(self, s):
        if 'name-prefix' in s:
            prefix = s['name-prefix']
        elif s['name'] == self.name:
            prefix = self.ident + '-a-'
        else:
            prefix = f"{self.ident}-a-{s['name']}-"
        attrs = {}
        val = 1
        for a in s['attributes']:
            val = a.get('value', val)
            attrs[a['name']] = dict(a, c=c_upper(a.get('name-prefix', prefix) + a['name']),
                                    value=val)
            val += 1
        return {'prefix': c_upper(prefix), 'enum': self._enum_tag(s), 'attrs': attrs,
                'cnt': c_upper(s.get('attr-cnt-name', f"__{prefix}max")),
                'max': c_upper(s.get('attr-max-name', f"{prefix}max"))}

    def enum_mask(self, name):
        mask = 0
        for _, v in self.enums[name]['entries']:
            mask |= v
        return mask

    def root_set(self):
        """The attribute set of the operations (one, for a global policy)."""
        names = {op['y'].get('attribute-set') for op in self.ops.values()} - {None}
        return names.pop() if len(names) == 1 else None

    def limit(self, v):
        """A checks value as a number: literal, constant or u32-max style."""
        if isinstance(v, int):
            return v
        if v in self.consts:
            return self.consts[v][1]
        m = re.fullmatch(r'([su])(8|16|32|64)-(min|max)', str(v))
        if m:
            bits = int(m[2]) - (m[1] == 's')
            if m[3] == 'max':
                return (1 << bits) - 1
            return 0 if m[1] == 'u' else -(1 << bits)
        raise ValueError(f'cannot evaluate limit {v!r}')

    def policy(self, a):
        """The kernel policy YNL derives from an attribute, normalised like
        Kernel.policy(): (type, {check: value}), or None for no entry."""
        t = a['type']
        checks = dict(a.get('checks', {}))
        if t in ('unused', 'pad'):
            return None
        if t in SCALARS:
            if a.get('byte-order') == 'big-endian':
                t = 'be' + t[1:]
            if 'enum' in a:
                e = self.enums[a['enum']]
                if e['type'] == 'flags' or a.get('enum-as-flags'):
                    return (t, {'mask': self.enum_mask(a['enum'])})
                vals = [v for _, v in e['entries']]
                lo, hi = min(vals), max(vals)
                if hi - lo + 1 == len(vals):
                    if 'min' not in checks and (lo != 0 or t[0] == 's'):
                        checks['min'] = lo
                    if 'max' not in checks:
                        checks['max'] = hi
            if 'flags-mask' in checks:
                n = len(self.enums[checks['flags-mask']]['entries'])
                return (t, {'mask': (1 << n) - 1})
            return (t, {k: self.limit(v) for k, v in checks.items() if k in ('min', 'max')})
        if t == 'string':
            t = 'string' if not checks.pop('unterminated-ok', False) else 'string-unterminated'
            return (t, {k: self.limit(v) for k, v in checks.items()})
        if t == 'binary':
            return (t, {k: self.limit(v) for k, v in checks.items()})
        if t == 'nest':
            return (t, {'nested': a.get('nested-attributes')})
        return (t, {})


# ---------------------------------------------------------------------------
# The uapi header, through the compiler

class Header:
    def __init__(self, path):
        self.path = path
        pre = run([CC, '-E', '-P', '-x', 'c', path])
        if pre.returncode:
            raise Fail([f'{CC} -E {path} failed:'] + pre.stderr.splitlines())
        # Enumerations, in order, from the preprocessed text (no comments).
        self.enums = []		# [(tag or None, [names])]
        for m in re.finditer(r'\benum\s+(\w*)\s*\{(.*?)\}', pre.stdout, re.S):
            names = []
            for item in m[2].split(','):
                item = item.strip()
                if item:
                    names.append(re.match(r'[A-Za-z_]\w*', item)[0])
            self.enums.append((m[1] or None, names))
        # Macros: the header's own, without the compiler's built-in ones.
        self.macros = self._macros(path)
        builtin = self._macros('/dev/null')
        for k in builtin:
            self.macros.pop(k, None)
        # Values, from a program built against the header.
        names = [n for _, ns in self.enums for n in ns]
        names += [k for k, v in self.macros.items() if v.strip() and '(' not in k]
        self.values = evaluate(names, [path])

    @staticmethod
    def _macros(path):
        out = run([CC, '-E', '-dM', '-x', 'c', path])
        if out.returncode:
            raise Fail([f'{CC} -E -dM {path} failed:'] + out.stderr.splitlines())
        macros = {}
        for line in out.stdout.splitlines():
            m = re.match(r'#define\s+(\w+(?:\([^)]*\))?)\s*(.*)', line)
            if m:
                macros[m[1]] = m[2]
        return macros

    def enum(self, tag=None, member=None):
        for t, names in self.enums:
            if (tag and t == tag) or (member and member in names):
                return t, names
        return None, None


def evaluate(exprs, headers, prelude=''):
    """Values of C constant expressions (ints or strings), by compiling a
    program that prints them."""
    if not exprs:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, 'values.c')
        with open(src, 'w', encoding='utf-8') as f:
            f.write('#include <stdio.h>\n#include <net/if.h>\n#include <netinet/in.h>\n')
            for h in headers:
                f.write(f'#include "{os.path.abspath(h)}"\n')
            f.write(prelude)
            f.write('static void ps(int i, const char *s) { printf("%d s %s\\n", i, s); }\n'
                    'static void pi(int i, long long v) { printf("%d i %lld\\n", i, v); }\n'
                    '#define P(i, x) _Generic((x), char *: ps, const char *: ps, '
                    'default: pi)(i, x)\n'
                    'int main(void)\n{\n')
            for i, e in enumerate(exprs):
                f.write(f'\tP({i}, ({e}));\n')
            f.write('\treturn 0;\n}\n')
        exe = os.path.join(tmp, 'values')
        out = run([CC, '-std=gnu11', '-o', exe, src])
        if out.returncode:
            shown = ', '.join(exprs[:4]) + (f' and {len(exprs) - 4} more'
                                              if len(exprs) > 4 else '')
            raise Fail([f'cannot compile a program printing {shown}:'] +
                       out.stderr.splitlines()[:20])
        out = run([exe])
    values = {}
    for line in out.stdout.splitlines():
        i, kind, v = line.split(' ', 2)
        values[exprs[int(i)]] = v if kind == 's' else int(v)
    return values


# ---------------------------------------------------------------------------
# kmod/netlink.c

def strip_comments(text):
    """Blank out comments, keep strings and the line structure."""
    def repl(m):
        s = m[0]
        if s.startswith('/'):
            return re.sub(r'[^\n]', ' ', s)
        return s
    return re.sub(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'',
                  repl, text, flags=re.S)


def matching(text, i):
    """Index just past the bracket that closes the one at text[i]."""
    pairs = {'(': ')', '{': '}', '[': ']'}
    stack = []
    j = i
    while j < len(text):
        c = text[j]
        if c in '"\'':
            m = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'').match(text, j)
            j = m.end() if m else j + 1
            continue
        if c in pairs:
            stack.append(pairs[c])
        elif c in ')}]':
            if not stack or stack.pop() != c:
                raise ValueError(f'unbalanced {c!r} at offset {j}')
            if not stack:
                return j + 1
        j += 1
    raise ValueError(f'no match for {text[i]!r} at offset {i}')


def split_top(text, sep=','):
    """Split at top-level separators (not inside brackets or strings)."""
    parts, depth, cur, i = [], 0, '', 0
    while i < len(text):
        c = text[i]
        if c in '"\'':
            m = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'').match(text, i)
            if m:
                cur += m[0]
                i = m.end()
                continue
        if c in '({[':
            depth += 1
        elif c in ')}]':
            depth -= 1
        if c == sep and depth == 0:
            parts.append(cur.strip())
            cur = ''
        else:
            cur += c
        i += 1
    if cur.strip():
        parts.append(cur.strip())
    return parts


def designators(body):
    """'{ .a = x, [B] = y, z }' (braces optional) -> {'.a': 'x', 'B': 'y', 0: 'z'}."""
    body = body.strip()
    if body.startswith('{') and body.endswith('}'):
        body = body[1:-1]
    out = {}
    for n, item in enumerate(split_top(body)):
        m = re.match(r'(\.\w+|\[\s*([^\]]+?)\s*\])\s*=\s*(.*)', item, re.S)
        if not m:
            out[n] = item
        elif m[1].startswith('.'):
            out[m[1]] = m[3].strip()
        else:
            out[m[2]] = m[3].strip()
    return out


def norm(s):
    return ' '.join(s.split())


class Kernel:
    def __init__(self, path):
        with open(path, encoding='utf-8') as f:
            self.text = strip_comments(f.read())
        # kmod/compat.h: ".flags = (f)" on every kernel that has the flags.
        self.text = re.sub(r'\bVTUN_GENL_MCGRP_FLAGS\(([^()]*)\)', r'.flags = \1',
                           self.text)
        t = self.text
        self.policies = {}	# name -> {'size': expr, 'entries': {ENUM: value expr}}
        for m in re.finditer(r'struct\s+nla_policy\s+(\w+)\s*\[([^\]]*)\]\s*'
                             r'(?:__\w+\s*)*=\s*\{', t):
            body = t[m.end() - 1:matching(t, m.end() - 1)]
            self.policies[m[1]] = {'size': norm(m[2]), 'entries': designators(body)}
        self.inits = {}		# struct type -> [(name, body)]
        for m in re.finditer(r'struct\s+(genl_ops|genl_small_ops|genl_split_ops|'
                             r'genl_multicast_group|genl_family)\s+(\w+)\s*(\[[^\]]*\])?'
                             r'\s*(?:__\w+\s*)*=\s*\{', t):
            body = t[m.end() - 1:matching(t, m.end() - 1)]
            self.inits.setdefault(m[1], []).append((m[2], body))
        self.funcs = {}		# name -> (params, body)
        for m in re.finditer(r'^[A-Za-z_][^;{}()=#]*?\b(\w+)\(([^;{}]*?)\)\s*\{', t, re.M):
            start = m.end() - 1
            self.funcs[m[1]] = ([p.strip() for p in split_top(m[2])],
                                t[start:matching(t, start)])

    def array(self, kind, name=None):
        """Elements of a struct array initializer, as designator dicts."""
        for n, body in self.inits.get(kind, []):
            if name is None or n == name:
                return [designators(e) for e in split_top(body[1:-1])]
        return []

    def calls(self, fname):
        """(callee, [args]) for every call in a function's body."""
        body = self.funcs[fname][1]
        out = []
        for m in re.finditer(r'\b([A-Za-z_]\w*)\s*\(', body):
            if m[1] in C_KEYWORDS:
                continue
            try:
                end = matching(body, m.end() - 1)
            except ValueError:
                continue
            out.append((m[1], split_top(body[m.end():end - 1])))
        return out

    def mentions(self, fname):
        """Functions a function calls or passes on (callbacks)."""
        body = self.funcs[fname][1]
        return set(re.findall(r'\b[A-Za-z_]\w*\b', body)) & set(self.funcs) - {fname}

    def reach(self, fname):
        seen, todo = set(), [fname]
        while todo:
            f = todo.pop()
            if f in seen or f not in self.funcs:
                continue
            seen.add(f)
            todo += self.mentions(f)
        return seen

    def closure(self, direct):
        """Functions that reach one for which direct(fname) holds."""
        return {f for f in self.funcs if any(direct(g) for g in self.reach(f))}


def parse_flags(expr, table):
    """'A | B' -> ({mapped names}, [unknown])."""
    names, unknown = set(), []
    for tok in re.split(r'\s*\|\s*', expr.strip()):
        if tok in ('', '0'):
            continue
        if tok in table:
            names.add(table[tok])
        else:
            unknown.append(tok)
    return names, unknown


# ---------------------------------------------------------------------------
# Kernel-only constants in policy expressions

def kernel_include_dirs():
    dirs = []
    if os.environ.get('KSRC'):
        dirs.append(os.path.join(os.environ['KSRC'], 'include'))
    kdir = os.environ.get('KDIR')
    if not kdir:
        # the build tree the top-level Makefile picks
        tool = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                            '..', '..', 'tools', 'kernels')
        try:
            kdir = subprocess.run(['bash', tool, 'kdir'], check=False,
                                  capture_output=True, text=True).stdout.strip()
        except OSError:
            kdir = ''
    if kdir and os.path.isdir(kdir):
        dirs.append(os.path.join(kdir, 'include'))
        dirs.append(os.path.join(kdir, 'source', 'include'))
        try:	# Debian: the arch directory includes the common one's Makefile
            with open(os.path.join(kdir, 'Makefile'), encoding='utf-8') as f:
                for line in f:
                    m = re.match(r'include\s+(\S+)/Makefile', line)
                    if m:
                        dirs.append(os.path.join(m[1], 'include'))
        except OSError:
            pass
    return [d for d in dirs if os.path.isdir(d)]


def find_define(name, files):
    pat = re.compile(r'^\s*#\s*define\s+' + name + r'\s+(.+?)\s*(?:/\*.*)?$', re.M)
    for path in files:
        try:
            with open(path, encoding='utf-8', errors='replace') as f:
                m = pat.search(f.read())
        except OSError:
            continue
        if m:
            return m[1], path
    return None, None


def kernel_prelude(exprs, known):
    """#defines for identifiers the userspace headers and the uapi header do
    not provide: found in the module's headers, then the kernel's."""
    mod_dir = os.path.dirname(os.path.abspath(NETLINK_C))
    files = sorted(glob.glob(os.path.join(mod_dir, '*.h')))
    for d in kernel_include_dirs():
        files += sorted(glob.glob(os.path.join(d, 'linux', '*.h')))
        files += sorted(glob.glob(os.path.join(d, 'net', '*.h')))
    lines, notes, todo, seen = [], [], list(exprs), set()
    while todo:
        for ident in re.findall(r'\b[A-Za-z_]\w*\b', todo.pop()):
            if ident in seen or ident in known or ident in ('sizeof', 'struct') or \
               ident.startswith('__'):
                continue
            seen.add(ident)
            if ident.isupper():
                value, where = find_define(ident, files)
                if value is not None:
                    lines.append(f'#ifndef {ident}\n#define {ident} {value}\n#endif\n')
                    notes.append(f'{ident} = {value} ({where})')
                    todo.append(value)
    return ''.join(reversed(lines)), notes


# ---------------------------------------------------------------------------
# The checks

class Checker:
    def __init__(self):
        self.results = []
        self.spec = self.hdr = self.kern = None
        self.kpol = {}		# policy name -> {C attr: normalised policy}
        self.policy_set = {}	# policy name -> set name

    # -- plumbing --
    def check(self, name, fn, *args):
        try:
            problems = fn(*args) or []
        except Skip as e:
            print(f'SKIP {name}\t{e}')
            return
        except Fail as e:
            problems = e.args[0]
        except Exception as e:		# pylint: disable=broad-except
            problems = [f'{type(e).__name__}: {e}']
        print(f'RESULT {1 if problems else 0} {name}')
        for p in problems:
            for line in str(p).splitlines():
                print(f'DIAG {line}')
        sys.stdout.flush()

    def need(self, *what):
        for w in what:
            if getattr(self, w) is None:
                raise Fail([f'cannot run: the {w} could not be read (see above)'])

    # -- loading --
    def load_spec(self):
        self.spec = Spec(SPEC)
        p = []
        if not self.spec.first_line.startswith('# SPDX-License-Identifier: '):
            p.append('the first line must be an SPDX license tag (YNL requires it)')
        return p

    def load_header(self):
        self.hdr = Header(UAPI_H)
        out = []
        flags = ['-fsyntax-only', '-Wall', '-Wextra', '-Werror', '-pedantic']
        r = run([CC, '-std=c99', *flags, '-x', 'c', UAPI_H])
        if r.returncode:
            out += ['does not compile alone as C99:'] + r.stderr.splitlines()
        cxx = os.environ.get('CXX', 'g++')
        if run(['sh', '-c', f'command -v {cxx}']).returncode == 0:
            r = run([cxx, *flags, '-x', 'c++', UAPI_H])
            if r.returncode:
                out += ['does not compile alone as C++:'] + r.stderr.splitlines()
        return out

    def load_kernel(self):
        self.kern = Kernel(NETLINK_C)
        p = []
        if not self.kern.policies:
            p.append('no struct nla_policy tables found')
        if not self.kern.array('genl_ops') and not self.kern.array('genl_small_ops') \
           and not self.kern.array('genl_split_ops'):
            p.append('no genl_ops found')
        if not self.kern.inits.get('genl_family'):
            p.append('no struct genl_family found')
        return p

    # -- the spec alone --
    def schema(self):
        try:
            import jsonschema	# pylint: disable=import-outside-toplevel
        except ImportError as e:
            raise Skip('python3-jsonschema is not installed') from e
        with open(SCHEMA, encoding='utf-8') as f:
            schema = yaml.safe_load(f)
        with open(SPEC, encoding='utf-8') as f:
            doc = yaml.safe_load(f)
        v = jsonschema.Draft7Validator(schema)
        return [f"{'/'.join(str(x) for x in e.absolute_path) or '(top)'}: {e.message}"
                for e in sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))]

    def structure(self):
        """What the schema cannot say: references resolve, names are unique,
        values increase, checks fit their types, every set is used."""
        self.need('spec')
        s, y, p = self.spec, self.spec.y, []

        def uniq(what, names):
            dup = sorted({n for n in names if names.count(n) > 1})
            if dup:
                p.append(f'{what}: duplicate names {", ".join(dup)}')

        def increasing(what, values):
            if any(b <= a for a, b in zip(values, values[1:])):
                p.append(f'{what}: values must increase in list order, got {values}')

        uniq('definitions', [d['name'] for d in y.get('definitions', [])])
        uniq('attribute-sets', [a['name'] for a in y['attribute-sets']])
        uniq('operations', [o['name'] for o in y['operations']['list']])
        increasing('operations', [o['value'] for o in s.ops.values()])
        if 'async-prefix' in y['operations'] or y['operations'].get('enum-model',
                                                                    'unified') != 'unified':
            p.append('operations: only the unified enum model is supported here')
        for name, e in s.enums.items():
            increasing(f'definition {name}', [v for _, v in e['entries']])
        for d in y.get('definitions', []):
            if d['type'] == 'const' and 'value' not in d:
                p.append(f"definition {d['name']}: a const needs a value")

        nested_in = {}
        for sname, st in s.sets.items():
            attrs = [a for a in y['attribute-sets'] if a['name'] == sname][0]['attributes']
            uniq(f'set {sname}', [a['name'] for a in attrs])
            increasing(f'set {sname}', [a['value'] for a in st['attrs'].values()])
            for aname, a in st['attrs'].items():
                where = f'{sname}.{aname}'
                t = a.get('type')
                if t not in ATTR_TYPES:
                    p.append(f'{where}: unknown type {t}')
                    continue
                kind = 'scalar' if t in SCALARS else t
                bad = set(a.get('checks', {})) - CHECKS_BY_TYPE.get(kind, set())
                if bad:
                    p.append(f'{where}: checks {sorted(bad)} do not apply to {t}')
                for k, v in a.get('checks', {}).items():
                    if k == 'flags-mask':
                        if v not in s.enums or s.enums[v]['type'] != 'flags':
                            p.append(f'{where}: flags-mask {v} is not a flags definition')
                        continue
                    if k == 'unterminated-ok':
                        continue
                    try:
                        s.limit(v)
                    except ValueError as e:
                        p.append(f'{where}: {e}')
                if t == 'binary' and len(a.get('checks', {})) > 1:
                    p.append(f'{where}: YNL supports one check per binary attribute')
                if (t == 'nest') != ('nested-attributes' in a):
                    p.append(f'{where}: nested-attributes goes with type nest, and only there')
                if 'nested-attributes' in a:
                    if a['nested-attributes'] not in s.sets:
                        p.append(f"{where}: no attribute set {a['nested-attributes']}")
                    nested_in.setdefault(a['nested-attributes'], []).append(where)
                if 'enum' in a:
                    if a['enum'] not in s.enums:
                        p.append(f"{where}: no enum or flags definition {a['enum']}")
                    elif t not in SCALARS:
                        p.append(f'{where}: enum on a non-scalar attribute')
                if t == 'unused' and a['value'] != 0:
                    p.append(f'{where}: an unused attribute other than value 0')

        used_enums = {a['enum'] for st in s.sets.values() for a in st['attrs'].values()
                      if 'enum' in a}
        for name in s.enums:
            if name not in used_enums:
                p.append(f'definition {name}: no attribute uses it')

        root = s.root_set()
        if root is None:
            p.append('operations: every operation must use the same attribute set')
        elif root in nested_in:
            p.append(f'set {root} is the operations\' set and nested in {nested_in[root]}'
                     ' (YNL does not support that)')
        for sname in s.sets:
            if sname != root and sname not in nested_in:
                p.append(f'set {sname}: not nested anywhere')

        for oname, op in s.ops.items():
            o = op['y']
            aset = s.sets.get(o.get('attribute-set'), {'attrs': {}})
            if 'attribute-set' in o and o['attribute-set'] not in s.sets:
                p.append(f"op {oname}: no attribute set {o['attribute-set']}")
            modes = [m for m in ('do', 'dump', 'event', 'notify') if m in o]
            if not modes and oname != 'unspec':
                p.append(f'op {oname}: has neither do, dump, event nor notify')
            if 'event' in o and ('do' in o or 'dump' in o):
                p.append(f'op {oname}: event and do/dump in one op: YNL would treat it'
                         ' as a notification only')
            lists = [(f'{m}.{d}', o[m].get(d, {}).get('attributes', []))
                     for m in ('do', 'dump') if m in o for d in ('request', 'reply')]
            if 'event' in o:
                lists.append(('event', o['event'].get('attributes', [])))
            for what, names in lists:
                for n in names:
                    if n not in aset['attrs']:
                        p.append(f'op {oname} {what}: no attribute {n} in set '
                                 f"{o.get('attribute-set')}")
            if 'mcgrp' in o and o['mcgrp'] not in s.mcgrps:
                p.append(f"op {oname}: no multicast group {o['mcgrp']}")
            if 'event' in o and 'mcgrp' not in o:
                p.append(f'op {oname}: an event needs an mcgrp')
            if 'notify' in o and o['notify'] not in s.ops:
                p.append(f"op {oname}: notify names no op {o['notify']}")
        return p

    # -- spec against header --
    def family(self):
        self.need('spec', 'hdr')
        s, v, p = self.spec, self.hdr.values, []
        for key, want in ((s.fam_key, s.name), (s.ver_key, s.version)):
            if key not in v:
                p.append(f'header: no {key} (the spec says {want!r})')
            elif v[key] != want:
                p.append(f'{key} is {v[key]!r} in the header, {want!r} in the spec')
        return p

    def enum_matches(self, what, tag, expect, cnt=None, max_name=None):
        """Header enum @tag has exactly @expect [(C name, value)], then the
        count member @cnt and a define @max_name = cnt - 1."""
        s, h, p = self.spec, self.hdr, []
        t, names = h.enum(tag=tag, member=expect[0][0] if expect else None)
        if names is None:
            return [f'{what}: the header has no enum {tag or "with " + expect[0][0]}']
        if tag and t != tag:
            p.append(f'{what}: the header names the enum {t!r}, the spec {tag!r}')
        want = [n for n, _ in expect] + ([cnt] if cnt else [])
        if cnt and not s.max_by_define:
            want.append(max_name)
        if names != want:
            p.append(f'{what}: members differ (header enum {t}):')
            for i in range(max(len(names), len(want))):
                hn = names[i] if i < len(names) else '-'
                sn = want[i] if i < len(want) else '-'
                mark = '   ' if hn == sn else '!= '
                p.append(f'  {mark}header {hn:34} spec {sn}')
        for n, val in expect:
            if n in h.values and h.values[n] != val:
                p.append(f'{what}: {n} is {h.values[n]} in the header, {val} in the spec')
        if cnt:
            last = expect[-1][1] if expect else 0
            if cnt in h.values and h.values[cnt] != last + 1:
                p.append(f'{what}: {cnt} is {h.values[cnt]}, expected {last + 1}')
            if max_name not in h.values:
                p.append(f'{what}: the header has no {max_name}')
            elif cnt in h.values and h.values[max_name] != h.values[cnt] - 1:
                p.append(f'{what}: {max_name} is {h.values[max_name]}, expected '
                         f'{cnt} - 1 = {h.values[cnt] - 1}')
            if s.max_by_define and max_name not in h.macros:
                p.append(f'{what}: max-by-define, but {max_name} is not a #define')
        return p

    def commands(self):
        self.need('spec', 'hdr')
        s = self.spec
        return self.enum_matches('commands', s.op_enum,
                                 [(o['c'], o['value']) for o in s.ops.values()],
                                 s.op_cnt, s.op_max)

    def attr_set(self, sname):
        self.need('spec', 'hdr')
        st = self.spec.sets[sname]
        return self.enum_matches(f'set {sname}', st['enum'],
                                 [(a['c'], a['value']) for a in st['attrs'].values()],
                                 st['cnt'], st['max'])

    def definition(self, name):
        self.need('spec', 'hdr')
        e = self.spec.enums[name]
        return self.enum_matches(f"{e['type']} {name}", e['enum'], e['entries'])

    def constants(self):
        self.need('spec', 'hdr')
        s, v, p = self.spec, self.hdr.values, []
        items = [(c, val, f'const {n}') for n, (c, val) in s.consts.items()]
        items += [(c, n, f'mcast group {n}') for n, c in s.mcgrps.items()]
        for c, want, what in items:
            if c not in v:
                p.append(f'{what}: the header has no {c}')
            elif v[c] != want:
                p.append(f'{what}: {c} is {v[c]!r} in the header, {want!r} in the spec')
        return p

    def header_complete(self):
        """Nothing in the header that the spec does not describe."""
        self.need('spec', 'hdr')
        s, h, p = self.spec, self.hdr, []
        known_enums = {s.op_enum} | {st['enum'] for st in s.sets.values()} | \
                      {e['enum'] for e in s.enums.values()}
        known_members = {o['c'] for o in s.ops.values()} | {s.op_cnt} | \
            {a['c'] for st in s.sets.values() for a in st['attrs'].values()} | \
            {st['cnt'] for st in s.sets.values()} | \
            {n for e in s.enums.values() for n, _ in e['entries']}
        known_macros = {s.fam_key, s.ver_key} | {c for c, _ in s.consts.values()} | \
            set(s.mcgrps.values())
        if s.max_by_define:
            known_macros |= {s.op_max} | {st['max'] for st in s.sets.values()}
        else:
            known_members |= {s.op_max} | {st['max'] for st in s.sets.values()}
        for tag, names in h.enums:
            if tag not in known_enums:
                p.append(f'header: enum {tag} is not in the spec')
            for n in names:
                if n not in known_members:
                    p.append(f'header: {n} (enum {tag}) is not in the spec')
        for m, val in h.macros.items():
            if m in known_macros:
                continue
            if not val.strip() and re.fullmatch(r'_*(UAPI_)?(LINUX_)?\w+_H_?', m):
                continue	# the include guard
            p.append(f'header: #define {m} {val} is not in the spec')
        return p

    # -- spec against kernel --
    def kernel_policies(self):
        """Normalise every nla_policy table: {C attr: (type, checks) | 'reject'}."""
        if self.kpol:
            return
        self.need('spec', 'hdr', 'kern')
        k, s = self.kern, self.spec
        exprs = []
        parsed = {}
        for pname, pol in k.policies.items():
            parsed[pname] = {}
            for attr, val in pol['entries'].items():
                if isinstance(attr, int):
                    raise Fail([f'{pname}: entry without a designator: {val}'])
                parsed[pname][attr] = self._parse_policy(pname, attr, norm(val), exprs)
        prelude, self.prelude_notes = kernel_prelude(exprs, set(self.hdr.values))
        try:
            values = evaluate(exprs, [UAPI_H], prelude)
        except Fail as e:
            undeclared = sorted(set(re.findall(r"[\u2018'](\w+)[\u2019'] undeclared",
                                               '\n'.join(e.args[0]))))
            dirs = kernel_include_dirs()
            raise Fail(e.args[0] + [
                f"no #define of {', '.join(undeclared) or '?'} in the module's headers or "
                f"{', '.join(dirs) or 'the kernel headers (none found: set KDIR or KSRC)'}"]
                ) from e
        max_to_set = {st['max']: n for n, st in s.sets.items()}
        for pname, pol in k.policies.items():
            m = re.fullmatch(r'(\w+)\s*\+\s*1', pol['size'])
            cnt = re.fullmatch(r'__(\w+)', pol['size'])
            key = m[1] if m else ('' if not cnt else
                                  next((st['max'] for st in s.sets.values()
                                        if st['cnt'] == pol['size']), ''))
            if key in max_to_set:
                self.policy_set[pname] = max_to_set[key]
        for pname, entries in parsed.items():
            self.kpol[pname] = {}
            for attr, (t, checks) in entries.items():
                if t in ('reject', 'unsupported'):
                    self.kpol[pname][attr] = (t, checks)
                    continue
                out = {}
                for ck, cv in checks.items():
                    if ck == 'nested':
                        out[ck] = self.policy_set.get(cv, f'<{cv}: no set>')
                    else:
                        out[ck] = values[cv]
                self.kpol[pname][attr] = (t, out)

    @staticmethod
    def _parse_policy(pname, attr, val, exprs):
        def e(x):
            exprs.append(x.strip())
            return x.strip()
        m = re.fullmatch(r'(NLA_POLICY_\w+)\((.*)\)', val)
        if m:
            args = split_top(m[2])
            mac = m[1]
            nla = args[0][4:].lower() if args[0].startswith('NLA_') else None
            if mac == 'NLA_POLICY_MIN':
                return nla, {'min': e(args[1])}
            if mac == 'NLA_POLICY_MAX':
                return nla, {'max': e(args[1])}
            if mac == 'NLA_POLICY_RANGE':
                return nla, {'min': e(args[1]), 'max': e(args[2])}
            if mac == 'NLA_POLICY_MASK':
                return nla, {'mask': e(args[1])}
            if mac == 'NLA_POLICY_EXACT_LEN':
                return 'binary', {'exact-len': e(args[0])}
            if mac == 'NLA_POLICY_MAX_LEN':
                return 'binary', {'max-len': e(args[0])}
            if mac == 'NLA_POLICY_MIN_LEN':
                return 'binary', {'min-len': e(args[0])}
            if mac == 'NLA_POLICY_NESTED':
                return 'nest', {'nested': args[0]}
            return 'unsupported', {'form': val}
        d = designators(val)
        t = d.get('.type', '')
        if t == 'NLA_REJECT':
            return 'reject', {}
        length = {'max-len': e(d['.len'])} if '.len' in d else {}
        simple = {'NLA_U8': 'u8', 'NLA_U16': 'u16', 'NLA_U32': 'u32', 'NLA_U64': 'u64',
                  'NLA_S8': 's8', 'NLA_S16': 's16', 'NLA_S32': 's32', 'NLA_S64': 's64',
                  'NLA_BE16': 'be16', 'NLA_BE32': 'be32', 'NLA_UINT': 'uint',
                  'NLA_SINT': 'sint', 'NLA_FLAG': 'flag'}
        if t in simple and not length:
            return simple[t], {}
        if t == 'NLA_NUL_STRING':
            return 'string', length
        if t == 'NLA_STRING':
            return 'string-unterminated', length
        if t == 'NLA_BINARY':
            return 'binary', length
        if t == 'NLA_NESTED' and not length:
            return 'nest', {'nested': None}
        return 'unsupported', {'form': val}

    def handler_validated(self):
        """Ops that carry keys are parsed liberally by genetlink with an
        empty per-op policy and validated strictly by their handler with
        the family's policy (so that a refused request still gets its keys
        wiped): {C command: per-op policy name}. Such an op must say
        dont-validate: [strict] in the spec, and its handler must reach a
        genlmsg_parse() with the family's policy."""
        k = self.kern
        fams = k.inits.get('genl_family', [])
        fam = designators(fams[0][1]) if fams else {}
        out = {}
        for o in k.array('genl_ops') + k.array('genl_small_ops'):
            pol = o.get('.policy')
            if not pol or pol not in k.policies or k.policies[pol]['entries']:
                continue
            fn = o.get('.doit')
            if fn in k.funcs and any(c == 'genlmsg_parse' and len(a) > 4 and
                                     a[4] == fam.get('.policy')
                                     for f in k.reach(fn) for c, a in k.calls(f)):
                out[o.get('.cmd')] = pol
        return out

    def policy(self, pname):
        self.kernel_policies()
        if pname in self.handler_validated().values():
            return []		# operations() checks how it is used
        s, p = self.spec, []
        if pname not in self.policy_set:
            return [f"{pname}[{self.kern.policies[pname]['size']}]: its size names no "
                    "attribute set's max"]
        sname = self.policy_set[pname]
        st = s.sets[sname]
        kp = self.kpol[pname]
        by_c = {a['c']: (n, a) for n, a in st['attrs'].items()}
        for attr in kp:
            if attr not in by_c:
                p.append(f'{pname}: entry [{attr}] is not an attribute of set {sname}')
        for aname, a in st['attrs'].items():
            want = s.policy(a)
            have = kp.get(a['c'])
            what = f"{sname}.{aname} ({a['c']})"
            if have and have[0] == 'unsupported':
                p.append(f"{what}: policy form not understood here: {have[1]['form']}")
            elif want is None:
                if have:
                    p.append(f"{what}: type {a['type']} has no policy, the kernel has {have}")
            elif have is None:
                p.append(f"{what}: no policy entry, so strict validation rejects it as "
                         f"unsupported; the spec says {a['type']}: make it NLA_REJECT if it "
                         "is read-only")
            elif have[0] == 'reject':
                continue	# read-only: requests() checks it is in none
            elif have != want:
                p.append(f'{what}: the spec means {fmt_pol(want)}, the kernel has '
                         f'{fmt_pol(have)}')
        if p and getattr(self, 'prelude_notes', None):
            p.append('(kernel-only constants: ' + '; '.join(self.prelude_notes) + ')')
        return p

    def unpolicied_sets(self):
        """A set without a policy table may only be reached through
        attributes the kernel rejects (read-only nests)."""
        self.kernel_policies()
        s, p = self.spec, []
        with_policy = {v: k for k, v in self.policy_set.items()}
        for sname in s.sets:
            if sname in with_policy:
                continue
            for oname, ost in s.sets.items():
                for aname, a in ost['attrs'].items():
                    if a.get('nested-attributes') != sname or oname not in with_policy:
                        continue
                    have = self.kpol[with_policy[oname]].get(a['c'])
                    if have and have[0] != 'reject':
                        p.append(f"set {sname} has no policy table, but {oname}.{aname} "
                                 f"({a['c']}) is accepted: {fmt_pol(have)}")
        return p

    def genl_family(self):
        self.kernel_policies()
        s, k, v, p = self.spec, self.kern, self.hdr.values, []
        fams = k.inits.get('genl_family', [])
        if len(fams) != 1:
            return [f'expected one struct genl_family, found {len(fams)}']
        fam = designators(fams[0][1])
        root = s.root_set()
        name = fam.get('.name', '')
        if v.get(name, name.strip('"')) != s.name:
            p.append(f'.name = {name}: not {s.name!r}')
        ver = fam.get('.version', '1')
        if v.get(ver, int(ver) if ver.isdigit() else None) != s.version:
            p.append(f'.version = {ver}: not {s.version}')
        kp = s.y.get('kernel-policy', 'split')
        if '.policy' in fam:
            if kp != 'global':
                p.append(f'the family has a global .policy, the spec kernel-policy: {kp}')
            if self.policy_set.get(fam['.policy']) != root:
                p.append(f".policy = {fam['.policy']}: not the policy of set {root}")
            if root and fam.get('.maxattr') != s.sets[root]['max']:
                p.append(f".maxattr = {fam.get('.maxattr')}: not {s.sets[root]['max']}")
        elif kp == 'global':
            p.append('kernel-policy: global, but the family has no .policy')
        if fam.get('.netnsok', 'false') != 'true':
            p.append('.netnsok is not true: the spec documents per-namespace devices')
        return p

    def operations(self):
        self.kernel_policies()
        s, k, p = self.spec, self.kern, []
        kops = k.array('genl_ops') + k.array('genl_small_ops')
        if k.array('genl_split_ops'):
            p.append('genl_split_ops are not understood by this check')
        by_cmd = {}
        for o in kops:
            cmd = o.get('.cmd')
            if cmd in by_cmd:
                p.append(f'genl_ops: {cmd} twice')
            by_cmd[cmd] = o
        by_c = {o['c']: n for n, o in s.ops.items()}
        for cmd in by_cmd:
            if cmd not in by_c:
                p.append(f'genl_ops: {cmd} is not an operation of the spec')
        for oname, op in s.ops.items():
            y = op['y']
            ko = by_cmd.get(op['c'])
            callable_ = 'do' in y or 'dump' in y
            if not callable_:
                if ko:
                    p.append(f"{oname}: the kernel handles {op['c']}, the spec has no do/dump")
                continue
            if not ko:
                p.append(f"{oname}: has do/dump in the spec, no genl_ops entry for {op['c']}")
                continue
            for mode, fn in (('do', '.doit'), ('dump', '.dumpit')):
                if (mode in y) != (fn in ko):
                    p.append(f"{oname}: spec {mode}: {'yes' if mode in y else 'no'}, "
                             f"kernel {fn}: {ko.get(fn, 'none')}")
            flags, unknown = parse_flags(ko.get('.flags', ''), OP_FLAGS)
            if unknown:
                p.append(f'{oname}: unknown .flags {unknown}')
            if flags != set(y.get('flags', [])):
                p.append(f"{oname}: kernel flags {sorted(flags)} ({ko.get('.flags', 'none')}),"
                         f" spec flags {sorted(y.get('flags', []))}")
            dv, unknown = parse_flags(ko.get('.validate', ''), DONT_VALIDATE)
            if unknown:
                p.append(f'{oname}: unknown .validate {unknown}')
            if dv != set(y.get('dont-validate', [])):
                p.append(f'{oname}: kernel .validate {sorted(dv)}, spec dont-validate '
                         f"{sorted(y.get('dont-validate', []))}")
            if op['c'] in self.handler_validated():
                root = s.root_set()
                if 'strict' not in dv:
                    p.append(f'{oname}: validated by its handler, but genetlink parses '
                             'it strictly')
                if root and ko.get('.maxattr') != s.sets[root]['max']:
                    p.append(f"{oname}: .maxattr = {ko.get('.maxattr')}: not "
                             f"{s.sets[root]['max']}")
            elif '.policy' in ko or '.maxattr' in ko:
                p.append(f'{oname}: per-op policy in the kernel; the spec is kernel-policy '
                         f"{s.y.get('kernel-policy', 'split')}")
        return p

    def reads(self, handler):
        """Top-level attributes read in functions a handler reaches."""
        k, s = self.kern, self.spec
        root = s.sets[s.root_set()]
        names = {a['c']: n for n, a in root['attrs'].items()}
        found = set()
        pats = [r'attrs\s*\[\s*(\w+)\s*\]', r'GENL_REQ_ATTR_CHECK\s*\(\s*\w+\s*,\s*(\w+)\s*\)',
                r'nla_type\s*\(\s*\w+\s*\)\s*[!=]=\s*(\w+)']
        for f in k.reach(handler):
            for pat in pats:
                for c in re.findall(pat, k.funcs[f][1]):
                    if c in names:
                        found.add(names[c])
        return found

    def requests(self):
        """Request attributes: what each handler reads is what its op lists;
        together they are what the family policy accepts."""
        self.kernel_policies()
        s, k, p = self.spec, self.kern, []
        root = s.root_set()
        kops = {o.get('.cmd'): o for o in k.array('genl_ops') + k.array('genl_small_ops')}
        listed = set()
        for oname, op in s.ops.items():
            ko = kops.get(op['c'])
            for mode, fn in (('do', '.doit'), ('dump', '.dumpit')):
                if mode not in op['y']:
                    continue
                req = set(op['y'][mode].get('request', {}).get('attributes', []))
                listed |= req
                if not ko or fn not in ko or ko[fn] not in k.funcs:
                    continue
                got = self.reads(ko[fn])
                if got - req:
                    p.append(f"{oname} {mode}: {ko[fn]} reads {sorted(got - req)}, which the "
                             "spec's request does not list")
                if req - got:
                    p.append(f"{oname} {mode}: the spec's request lists {sorted(req - got)}, "
                             f"which {ko[fn]} never reads")
        fam = designators(k.inits['genl_family'][0][1]) if k.inits.get('genl_family') else {}
        pol = self.kpol.get(fam.get('.policy'))
        if pol is not None and root:
            accepted = {n for n, a in s.sets[root]['attrs'].items()
                        if a['c'] in pol and pol[a['c']][0] != 'reject'}
            for n in sorted(listed - accepted):
                a = s.sets[root]['attrs'][n]
                why = 'is NLA_REJECT' if a['c'] in pol else 'has no policy entry'
                p.append(f"request attribute {n} ({a['c']}) {why} in {fam['.policy']}: "
                         'the kernel refuses it')
            for n in sorted(accepted - listed):
                p.append(f"{n} ({s.sets[root]['attrs'][n]['c']}) is accepted by "
                         f"{fam['.policy']} but no operation's request lists it "
                         '(make it NLA_REJECT if it is read-only)')
        return p

    def mcast_groups(self):
        self.need('spec', 'hdr', 'kern')
        s, k, v, p = self.spec, self.kern, self.hdr.values, []
        fams = k.inits.get('genl_family', [])
        fam = designators(fams[0][1]) if fams else {}
        kgrps = k.array('genl_multicast_group', fam.get('.mcgrps'))
        sgrps = s.y.get('mcast-groups', {}).get('list', [])
        if len(kgrps) != len(sgrps):
            p.append(f'{len(kgrps)} multicast groups in the kernel, {len(sgrps)} in the spec')
        for kg, sg in zip(kgrps, sgrps):
            name = kg.get('.name', '')
            val = v.get(name, name.strip('"'))
            if val != sg['name']:
                p.append(f"group {sg['name']}: the kernel's is {name} = {val!r}")
            flags, unknown = parse_flags(kg.get('.flags', ''), MCGRP_FLAGS)
            if unknown:
                p.append(f'group {sg["name"]}: unknown .flags {unknown}')
            if flags != set(sg.get('flags', [])):
                p.append(f"group {sg['name']}: kernel .flags {kg.get('.flags', 'none')} "
                         f"({sorted(flags)}), spec flags {sorted(sg.get('flags', []))}")
        return p

    def events(self):
        """Which commands the kernel multicasts, against the ops with an
        mcgrp; the attributes of the notification-only ones."""
        self.need('spec', 'hdr', 'kern')
        s, k, p = self.spec, self.kern, []
        mcast = k.closure(lambda f: any(c in MULTICAST_FNS for c, _ in k.calls(f)))
        builder = k.closure(lambda f: any(c == 'genlmsg_put' for c, _ in k.calls(f)))
        cmd_names = {o['c']: n for n, o in s.ops.items()}
        kops = k.array('genl_ops') + k.array('genl_small_ops')
        announced = {}		# op name -> [function]
        for f in sorted(mcast):
            for callee, args in k.calls(f):
                if not (callee == 'genlmsg_put' or callee in builder or callee in mcast):
                    continue
                for arg in args:
                    for c in re.findall(r'\b\w+_CMD_\w+\b', arg):
                        if c in cmd_names:
                            announced.setdefault(cmd_names[c], []).append(f)
                    if re.search(r'genlhdr\s*->\s*cmd|info->genlhdr->cmd', arg):
                        for ko in kops:
                            for fn in ('.doit', '.dumpit'):
                                if ko.get(fn) in k.funcs and f in k.reach(ko[fn]) and \
                                   ko.get('.cmd') in cmd_names:
                                    announced.setdefault(cmd_names[ko['.cmd']], []).append(f)
        with_grp = {n for n, o in s.ops.items() if 'mcgrp' in o['y']}
        for n in sorted(set(announced) - with_grp):
            p.append(f'{n}: multicast by {sorted(set(announced[n]))}, but the spec op has no'
                     ' mcgrp')
        for n in sorted(with_grp - set(announced)):
            p.append(f'{n}: the spec op has mcgrp, but the kernel never multicasts '
                     f"{s.ops[n]['c']}")
        root = s.sets[s.root_set()]['attrs']
        root_c = {a['c']: n for n, a in root.items()}
        for n, fns in sorted(announced.items()):
            y = s.ops[n]['y']
            if 'event' not in y:
                continue
            want = set(y['event'].get('attributes', []))
            for f in sorted(set(fns)):
                got = set()
                for g in k.reach(f):
                    for callee, args in k.calls(g):
                        if callee in PUT_TYPES and len(args) > 1 and args[1] in root_c:
                            got.add(root_c[args[1]])
                if got != want:
                    p.append(f'{n}: {f} sends {sorted(got)}, the spec event lists '
                             f'{sorted(want)}')
        return p

    def replies(self):
        """Every attribute netlink.c puts has the type the spec gives it."""
        self.need('spec', 'hdr', 'kern')
        s, k, p = self.spec, self.kern, []
        wrappers = {}		# function -> (put function, index of its attr param)
        for f, (params, _) in k.funcs.items():
            pnames = [re.findall(r'\w+', x)[-1] if re.findall(r'\w+', x) else ''
                      for x in params]
            for callee, args in k.calls(f):
                if callee in PUT_TYPES and len(args) > 1 and args[1] in pnames:
                    wrappers[f] = (callee, pnames.index(args[1]), args)
        seen = 0
        for f in k.funcs:
            for callee, args in k.calls(f):
                pad = None
                if callee in PUT_TYPES:
                    put, idx = callee, 1
                    if put == 'nla_put_u64_64bit' and len(args) > 3:
                        pad = args[3]
                elif callee in wrappers:
                    put, idx, wargs = wrappers[callee]
                    if put == 'nla_put_u64_64bit' and len(wargs) > 3:
                        pad = wargs[3]
                else:
                    continue
                if len(args) <= idx or args[idx] not in s.attr_by_c:
                    continue
                seen += 1
                sname, aname = s.attr_by_c[args[idx]]
                a = s.sets[sname]['attrs'][aname]
                t, length = PUT_TYPES[put]
                where = f'{f}: {callee}(..., {args[idx]}, ...)'
                if a['type'] != t:
                    p.append(f"{where}: puts a {t}, the spec says {sname}.{aname} is "
                             f"{a['type']}")
                elif length and a.get('checks', {}).get('exact-len') not in (None, length):
                    p.append(f"{where}: puts {length} bytes, the spec's exact-len is "
                             f"{a['checks']['exact-len']}")
                if pad is not None and pad in s.attr_by_c:
                    pset, pattr = s.attr_by_c[pad]
                    if pset != sname or s.sets[pset]['attrs'][pattr]['type'] != 'pad':
                        p.append(f'{where}: padded with {pad}, not the pad attribute of '
                                 f'set {sname}')
        if not seen:
            p.append('found no nla_put of a spec attribute in netlink.c')
        # Every attribute a reply or event lists is put somewhere.
        put = set()
        for f in k.funcs:
            for callee, args in k.calls(f):
                if callee in PUT_TYPES and len(args) > 1:
                    put.add(args[1])
                elif callee in wrappers and len(args) > wrappers[callee][1]:
                    put.add(args[wrappers[callee][1]])
        root = s.sets[s.root_set()]['attrs']
        for oname, op in s.ops.items():
            y = op['y']
            lists = [y[m].get('reply', {}).get('attributes', []) for m in ('do', 'dump')
                     if m in y] + [y.get('event', {}).get('attributes', [])]
            for n in sorted({n for lst in lists for n in lst}):
                if root[n]['c'] not in put:
                    p.append(f"{oname}: the spec's reply/event lists {n}, netlink.c never "
                             f"puts {root[n]['c']}")
        return p


def fmt_pol(pol):
    t, checks = pol
    if not checks:
        return t
    return t + ' ' + ', '.join(f'{k} {v}' for k, v in sorted(checks.items()))


def main():
    c = Checker()
    c.check(f'spec parses: {os.path.relpath(SPEC, REPO)}', c.load_spec)
    c.check('spec validates against the genetlink-legacy schema', c.schema)
    c.check('spec is consistent: references, names, values, checks', c.structure)
    c.check(f'uapi header compiles on its own: {os.path.relpath(UAPI_H, REPO)}',
            c.load_header)
    c.check(f'netlink.c parses: {os.path.relpath(NETLINK_C, REPO)}', c.load_kernel)
    c.check('header: family name and version', c.family)
    c.check('header: commands (enum, order, values, max)', c.commands)
    if c.spec:
        for sname in c.spec.sets:
            c.check(f'header: attribute set {sname}', c.attr_set, sname)
        for name in c.spec.enums:
            c.check(f"header: {c.spec.enums[name]['type']} {name}", c.definition, name)
    c.check('header: constants and multicast group names', c.constants)
    c.check('header: nothing the spec does not describe', c.header_complete)
    if c.kern:
        for pname in c.kern.policies:
            c.check(f'kernel policy {pname} agrees with the spec', c.policy, pname)
    c.check('sets without a policy are never accepted', c.unpolicied_sets)
    c.check('genl_family: name, version, global policy', c.genl_family)
    c.check('genl_ops: handlers, do/dump, permission flags', c.operations)
    c.check('requests: handlers read what the spec lists, the policy accepts it',
            c.requests)
    c.check('multicast groups: names and permission flags', c.mcast_groups)
    c.check('events: multicast commands and notification attributes', c.events)
    c.check('replies: every nla_put has the type the spec says', c.replies)


if __name__ == '__main__':
    main()
