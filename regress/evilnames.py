#!/usr/bin/env python3
"""evilnames: the hostile names of t-evil and lib-evil.so (regress/inject).

The C sources name their functions, data, vtable and source files by
placeholders of exactly the length of the hostile names below; after
linking, the placeholders are overwritten in the symbol string tables
and the DWARF, so the object stays valid but every tool that reads its
names reads the hostile bytes.  The program's own strings (.rodata) are
left alone, so the truth it records names files by their placeholders.

	evilnames.py header		the C header of placeholders (evil.h)
	evilnames.py patch IN OUT KEY...	copy the ELF file IN to OUT with
					the placeholders of KEY... replaced
	evilnames.py show FILE KEY...	check that FILE holds the hostile
					names of KEY... (nm, readelf)

regress/evilcheck.py imports NAMES, placeholder() and the escapes.
"""
import os
import struct
import subprocess
import sys

# What a hostile target would choose: lines of leak's and umem's
# reports, gdb and shell commands, quotes, backslashes (one last),
# tabs and bytes that are not UTF-8.  Files hold no '/', which would
# make them paths; nothing holds a NUL, which ends an ELF string.
NAMES = {
	'EVILDATA': b'd\nblock 0x0000000000001000 0x0000000000000010 0x0000000000000000 0x0000000000000000 forged forged\n',
	'EVILCODE': b"c\tshell touch CANARY\n!touch CANARY\npython import os; os.system('touch CANARY')\nsource CANARY\n\\",
	'EVILFUNC': b"f'\"\nshell touch CANARY\n     1          16 forged\n$(touch CANARY)`touch CANARY`;touch CANARY|touch CANARY \\\xff\xfe\x80",
	'EVILFILE': b"F\nshell touch CANARY\n'\"$(touch CANARY)`touch CANARY`;|\t\\x.c \xff\xfe\x80\\",
	'EVILCLASS': b"K\nshell touch CANARY\n$(touch CANARY)`touch CANARY`;touch CANARY'\"\\\xff",
	'EVILLIBFUNC': b"l\necho forged\\n\nshell touch CANARY\n# 9\tforged site\n$(touch CANARY);touch CANARY\x80\xff",
	'EVILLIBFILE': b"L \"'$(touch CANARY)`touch CANARY`|;\n!touch CANARY\xfe.c",
}
FILES = ('EVILFILE', 'EVILLIBFILE')

# where an ELF file keeps the names of symbols and of source files
PATCHED = ('.strtab', '.dynstr')
SHF_COMPRESSED = 0x800
SHT_NOBITS = 8


def placeholder(key):
	"""The C name standing for KEY, as long as its hostile name."""
	n = len(NAMES[key])
	p = key + '_'
	assert len(p) < n, key
	return (p + 'Z' * n)[:n].encode()


def classlabel():
	"""The vtable's symbol: mangled, so the hostile class is demangled."""
	return b'_ZTV%d%s' % (len(NAMES['EVILCLASS']), placeholder('EVILCLASS'))


def hostilelabel():
	return b'_ZTV%d%s' % (len(NAMES['EVILCLASS']), NAMES['EVILCLASS'])


def header():
	out = ['/* evil.h: made by regress/evilnames.py header; see there. */']
	for k in NAMES:
		p = placeholder(k).decode()
		if k in FILES:
			out.append('#define %s "%s"' % (k, p))
		elif k == 'EVILCLASS':
			out.append('#define EVILVTABLE "%s"' % classlabel().decode())
		else:
			out.append('#define %s %s' % (k, p))
	return '\n'.join(out) + '\n'


def sections(data):
	"""(name, offset, size, flags, type) of each section of an ELF64 file."""
	if data[:4] != b'\x7fELF' or data[4] != 2 or data[5] != 1:
		sys.exit('evilnames: not a little-endian ELF64 file')
	shoff, = struct.unpack_from('<Q', data, 0x28)
	shentsize, shnum, shstrndx = struct.unpack_from('<HHH', data, 0x3a)
	hdrs = []
	for i in range(shnum):
		name, typ, flags, _, off, size = struct.unpack_from('<IIQQQQ', data, shoff + i*shentsize)
		hdrs.append((name, off, size, flags, typ))
	stroff = hdrs[shstrndx][1]
	out = []
	for name, off, size, flags, typ in hdrs:
		end = data.index(b'\0', stroff + name)
		out.append((data[stroff+name:end].decode(), off, size, flags, typ))
	return out


def patch(src, dst, keys):
	data = bytearray(open(src, 'rb').read())
	count = {k: 0 for k in keys}
	for name, off, size, flags, typ in sections(data):
		if typ == SHT_NOBITS or not (name in PATCHED or name.startswith('.debug')):
			continue
		if flags & SHF_COMPRESSED:
			sys.exit('evilnames: %s: %s is compressed' % (src, name))
		for k in keys:
			p, h = placeholder(k), NAMES[k]
			i = data.find(p, off, off+size)
			while i >= 0:
				data[i:i+len(p)] = h
				count[k] += 1
				i = data.find(p, i+len(p), off+size)
	missing = [k for k in keys if count[k] == 0]
	if missing:
		sys.exit('evilnames: %s holds no %s' % (src, ', '.join(missing)))
	tmp = dst + '.tmp'
	with open(tmp, 'wb') as f:
		f.write(data)
	os.chmod(tmp, 0o755)
	os.rename(tmp, dst)


def show(path, keys):
	"""The symbols, DWARF names and files must be the hostile ones."""
	nm = subprocess.run(['nm', path], capture_output=True, check=True).stdout
	dw = subprocess.run(['readelf', '--debug-dump=str,line', path],
		capture_output=True, check=True).stdout
	syms = {l.split(b' ', 2)[2] for l in nm.split(b'\n') if l.count(b' ') >= 2}
	bad = []
	for k in keys:
		h = NAMES[k]
		p = placeholder(k)
		if p in nm or p in dw:
			bad.append('%s: placeholder left' % k)
		if k in FILES:
			# readelf prints a line table's file names as they are
			if h not in dw:
				bad.append('%s: no hostile file name in the DWARF' % k)
			continue
		# nm cuts at newlines: look for the first line of the name
		first = (hostilelabel() if k == 'EVILCLASS' else h).split(b'\n')[0]
		if not any(s.startswith(first) for s in syms):
			bad.append('%s: nm lists no symbol %r' % (k, first))
	return bad


def main(argv):
	if argv[1:2] == ['header']:
		sys.stdout.write(header())
	elif argv[1:2] == ['patch'] and len(argv) > 4:
		patch(argv[2], argv[3], argv[4:])
	elif argv[1:2] == ['show'] and len(argv) > 3:
		bad = show(argv[2], argv[3:])
		for b in bad:
			print('%s: %s' % (argv[2], b))
		return 1 if bad else 0
	else:
		sys.exit('usage: evilnames.py header | patch in out key... | show file key...')
	return 0


if __name__ == '__main__':
	sys.exit(main(sys.argv))
