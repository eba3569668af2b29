#!/usr/bin/env python3
"""evilcheck: leak's and umem's output on t-evil (regress/inject).

t-evil's names are hostile (regress/evilnames.py); its truth names
files by their placeholders and signatures by keys.  Whatever the
target chose, leak must print it escaped: every byte of target text
outside 0x21-0x7e, and every backslash, as \\xNN; a space too in the
one-word fields (block lines' SYM0 and SYM1, a site's file:line).
The expected text is made here from the hostile bytes.

	evilcheck.py report MODE TRUTH REP	leak [-a] [-d]: MODE leak, all, free, allfree
	evilcheck.py umem TRUTH REP
	evilcheck.py script s|c TRUTH SCRIPT	leak -s or -c
	evilcheck.py gdb TRUTH SCRIPT OUT 0|1	what gdb printed running SCRIPT
					(1: lib-evil.so's symbols loaded)
	evilcheck.py stderr FILE...		printable lines only
	evilcheck.py escaped KEY|-		KEY's name (or stdin) escaped

Each prints what is wrong, one line each, and exits 1 if anything is.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from evilnames import NAMES, FILES, placeholder	# noqa: E402

FUNCOF = {'EVILFILE': 'EVILFUNC', 'EVILLIBFILE': 'EVILLIBFUNC'}
HEX = rb'0x[0-9a-f]{16}'
ZERO = b'0x' + b'0' * 16
OFF = rb'\+0x[0-9a-f]+'
# the script's gdb commands: nothing else may begin a line
GDBLINE = re.compile(rb'(set (pagination|confirm) off|set listsize 1'
	rb"|(add-)?symbol-file '[^']*' -o 0x[0-9a-f]+|list \*0x[0-9a-f]+|info symbol 0x[0-9a-f]+|echo [0-9A-Za-z\\]*)$")
errs = []


def bad(s):
	errs.append(s)


def esc(b, space):
	"""Target text as leak must print it; space: escape spaces too."""
	out = bytearray()
	for c in b:
		if c == 0x5c or c > 0x7e or c < 0x20 or (c == 0x20 and space):
			out += b'\\x%02x' % c
		else:
			out.append(c)
	return bytes(out)


def show(b):
	"""For people: printable ASCII as it is, other bytes as \\xNN."""
	return ''.join(chr(c) if 0x20 <= c <= 0x7e else '\\x%02x' % c for c in b[:300])


class Pat:
	"""Expected text: literal parts, with None where any +0xOFFSET goes."""
	def __init__(self, *parts):
		self.re = re.compile(b''.join(OFF if p is None else re.escape(p) for p in parts))
		self.text = b''.join(b'+0x?' if p is None else p for p in parts)

	def full(self, b):
		return self.re.fullmatch(b) is not None

	def __eq__(self, o):
		return self.text == o.text

	def __hash__(self):
		return hash(self.text)

	def __str__(self):
		return show(self.text)


def printable(line, tab=False):
	return all(0x20 <= c <= 0x7e or (tab and c == 9) for c in line)


def lines(path):
	data = open(path, 'rb').read()
	if data and not data.endswith(b'\n'):
		bad('%s: no newline at the end' % path)
	return data.split(b'\n')[:-1] if data else []


class Truth:
	"""The final fate, size and site or signature of each block."""
	def __init__(self, path):
		self.fate = {}
		self.site = {}
		self.sig = {}
		for l in lines(path):
			w = l.split(b' ')
			if w[0] in (b'leak', b'held', b'free'):
				self.fate[int(w[1], 16)] = (w[0].decode(), int(w[2], 16), int(w[3], 16))
			elif w[0] == b'site':
				f, line = w[2].rsplit(b':', 1)
				key = [k for k in FILES if placeholder(k) == f]
				if key:
					self.site[int(w[1], 16)] = (key[0], line)
			elif w[0] == b'sig':
				self.sig[int(w[1], 16)] = w[2].decode()

	def blocks(self, states):
		return {a for a, (s, _, _) in self.fate.items() if s in states}

	def hostile(self, a):
		return a in self.site or a in self.sig

	def size(self, a):
		"""Tagged blocks are reported at their requested size."""
		_, req, usable = self.fate[a]
		return req if a in self.site else usable

	def sitename(self, a):
		"""The site (a regexp) as umem and the scripts must name it."""
		if a in self.site:
			k, line = self.site[a]
			return Pat(esc(NAMES[FUNCOF[k]], False), None, b' ' + esc(NAMES[k], True) + b':' + line)
		k = self.sig[a]
		what = b'class ' if k == 'EVILCLASS' else b'points to '
		return Pat(b'[' + what + esc(NAMES[k], False) + b']')

	def words(self, a):
		"""SYM0 and SYM1 (regexps) of a block line."""
		if a in self.site:
			return Pat(esc(NAMES[FUNCOF[self.site[a][0]]], True), None), Pat(ZERO)
		data, code = esc(NAMES['EVILDATA'], True), esc(NAMES['EVILCODE'], True)
		vt = b'_ZTV%d' % len(NAMES['EVILCLASS']) + esc(NAMES['EVILCLASS'], True)
		return {
			'EVILDATA': (Pat(data), Pat(code)),
			'EVILCODE': (Pat(code), Pat(data + b'+0x8')),
			'EVILCLASS': (Pat(vt + b'+0x10'), Pat(ZERO)),
		}[self.sig[a]]

	def sites(self, states, bytes_=False):
		"""{site regexp: [count, bytes]} of the hostile blocks in states."""
		out = {}
		for a in self.blocks(states):
			if self.hostile(a):
				n = out.setdefault(self.sitename(a), [0, 0])
				n[0] += 1
				n[1] += self.size(a)
		return out


def report(mode, truth, path):
	t = Truth(truth)
	form = re.compile(rb'(block|free) (' + HEX + rb') (' + HEX + rb') ' + HEX + b' ' + HEX + rb' ([^ ]+) ([^ ]+)$')
	seen = {}
	for l in lines(path):
		m = form.match(l)
		if not printable(l) or m is None:
			bad('not a block line of printable ASCII: %s' % show(l))
			continue
		kind, a, size, s0, s1 = m.group(1), int(m.group(2), 16), int(m.group(3), 16), m.group(4), m.group(5)
		if a in seen:
			bad('%#x listed twice' % a)
		seen[a] = kind
		if a not in t.fate:
			if b'forged' in l or b'CANARY' in l:
				bad('a line the target made: %s' % show(l))
			continue
		if kind == b'free':
			bad('%#x: a %s block printed as free' % (a, t.fate[a][0]))
			continue
		if size != t.size(a):
			bad('%#x: size %#x, want %#x' % (a, size, t.size(a)))
		if t.hostile(a):
			w0, w1 = t.words(a)
			if not w0.full(s0) or not w1.full(s1):
				bad('%#x: SYM0 SYM1 %s %s, want %s %s' % (a, show(s0), show(s1), w0, w1))
	blocks = {a for a, k in seen.items() if k == b'block'}
	leaked = t.blocks(('leak',))
	if mode == 'leak':
		want, exact = leaked, True
	elif mode in ('all', 'allfree'):
		want, exact = t.blocks(('leak', 'held')), False
	else:
		want, exact = set(), True
	for a in sorted(want - blocks):
		bad('missing %#x (%s in the truth)' % (a, t.fate[a][0]))
	if exact:
		for a in sorted(blocks - want):
			bad('extra block %#x' % a)
	if not leaked:
		bad('the truth lists no leaked blocks')


def umem(truth, path):
	t = Truth(truth)
	want = t.sites(('leak', 'held'))
	form = re.compile(rb'([ 0-9]{5}[0-9]) ([ 0-9]{10}[0-9]) (.+)$')
	got = {}
	for l in lines(path):
		m = form.match(l)
		if not printable(l) or m is None:
			bad('not a %%6d %%11d %%s line of printable ASCII: %s' % show(l))
			continue
		site = m.group(3)
		k = [w for w in want if w.full(site)]
		if k:
			n = got.setdefault(k[0], [0, 0])
			n[0] += int(m.group(1))
			n[1] += int(m.group(2))
		elif b'forged' in l or b'CANARY' in l:
			bad('a line the target made: %s' % show(l))
	compare(want, got, 'umem')


def compare(want, got, what):
	for w in want:
		if w not in got:
			bad('%s has no site %s' % (what, w))
		elif got[w] != want[w]:
			bad('%s: site %s has %s, want %s' % (what, w, got[w], want[w]))


def script(flag, truth, path):
	"""leak -s/-c: its comments name the leaked sites, escaped, with their counts."""
	t = Truth(truth)
	want = t.sites(('leak',))
	cols = 1 if flag == 's' else 3
	got = {}
	for l in lines(path):
		if not printable(l, tab=True):
			bad('not printable ASCII: %s' % show(l))
			continue
		if not l.startswith(b'#'):
			if not GDBLINE.match(l):
				bad('not one of the script\'s gdb commands: %s' % show(l))
			continue
		f = l[1:].lstrip(b' ').split(b'\t', cols)
		# (paths in comments may hold CANARY; only names hold forged)
		if len(f) != cols + 1 or not all(x.isdigit() for x in f[:cols]):
			if b'forged' in l:
				bad('a comment the target made: %s' % show(l))
			continue
		if b'\t' in f[cols]:
			bad('a tab in a site: %s' % show(l))
		k = [w for w in want if w.full(f[cols])]
		if not k:
			if b'forged' in l:
				bad('a comment the target made: %s' % show(l))
			continue
		n = got.setdefault(k[0], [0, 0])
		if flag == 's':
			n[0] += int(f[0])
		else:
			n[0] += int(f[1])
			n[1] += int(f[0])
	if flag == 's':
		want = {w: [n[0], 0] for w, n in want.items()}
		got = {w: [n[0], 0] for w, n in got.items()}
	compare(want, got, 'leak -%s' % flag)


def gdb(truth, path, out, libloaded):
	"""gdb ran all of SCRIPT: the listing or echo of every hostile site.
	The executable's path is printable, so it is loaded; lib-evil.so's
	is loaded when libloaded, else not."""
	t = Truth(truth)
	text = open(out, 'rb').read()
	sc = open(path, 'rb').read()
	if not text.endswith(b'INJECT-END\n'):
		bad('gdb did not run to the end of the script: %s' % show(text[-200:]))
	done = set()
	for a in sorted(t.blocks(('leak',))):
		if not t.hostile(a):
			continue
		site = t.sitename(a)
		if site in done:
			continue
		done.add(site)
		if a in t.site and (t.site[a][0] == 'EVILFILE' or libloaded):
			# symbols loaded: list names the raw function and file
			# (the line itself, not found, is an error message)
			k, line = t.site[a]
			pat = (rb'(?m)^0x[0-9a-f]+ is in ' + re.escape(NAMES[FUNCOF[k]]) + rb' \(/[^\n]*/' +
				re.escape(NAMES[k]) + b':' + line + rb'\)\.$')
			if not re.search(pat, text):
				bad('gdb did not list %s' % site)
			continue
		# a signature, or lib-evil.so's site when its path is not printable
		if not any(site.full(l) for l in text.split(b'\n')):
			bad('gdb did not echo %s' % site)
	loads = re.search(rb"(?m)^(add-)?symbol-file '.*/lib-evil\.so' -o 0x[0-9a-f]+$", sc) is not None
	if loads != libloaded:
		bad('the script %s lib-evil.so' % ('does not load' if libloaded else 'loads'))
	if not libloaded and not re.search(rb'(?m)^#.*lib-evil\.so', sc):
		bad('no comment says lib-evil.so is not loaded')


def stderr(paths):
	for p in paths:
		for l in lines(p):
			if not printable(l):
				bad('%s: not printable ASCII: %s' % (os.path.basename(p), show(l)))


def main(argv):
	cmd = argv[1] if len(argv) > 1 else ''
	if cmd == 'report' and len(argv) == 5:
		report(argv[2], argv[3], argv[4])
	elif cmd == 'umem' and len(argv) == 4:
		umem(argv[2], argv[3])
	elif cmd == 'script' and len(argv) == 5:
		script(argv[2], argv[3], argv[4])
	elif cmd == 'gdb' and len(argv) == 6:
		gdb(argv[2], argv[3], argv[4], argv[5] == '1')
	elif cmd == 'stderr':
		stderr(argv[2:])
	elif cmd == 'escaped' and len(argv) == 3:
		b = sys.stdin.buffer.read() if argv[2] == '-' else NAMES[argv[2]]
		sys.stdout.buffer.write(esc(b, False) + b'\n')
	else:
		sys.exit(__doc__)
	for e in errs[:50]:
		print(e)
	if len(errs) > 50:
		print('... and %d more' % (len(errs) - 50))
	return 1 if errs else 0


if __name__ == '__main__':
	sys.exit(main(sys.argv))
