#!/usr/bin/env python3
"""imgdecode: read a Plan 9 image(6), plain or compressed, or a PNG,
checking its every byte against the format as Plan 9's readers take it.

	imgdecode.py FILE		a summary line
	imgdecode.py --pixels FILE	a line per row: hex indices (m8) or rrggbb

As a module: decode(bytes) or read(path) returns an Image (chan, width,
height, rows: a bytes per row, indices for m8, r,g,b for r8g8b8 whatever
the file's order, and kind, blocks, size) or raises Bad saying what and
where.  Only what lib/image writes is taken: chan m8 or r8g8b8, the
rectangle 0 0 width height, PNG at 8 bits with no ancillary chunks.
"""

import signal
import sys
import zlib

NMATCH = 3	# image(6): shortest copy
NMEM = 1024	# farthest copy
NCBLOCK = 6000	# the readers' block size, unless two rows are more

PNGSIG = b'\x89PNG\r\n\x1a\n'
CHANS = {'m8': 1, 'r8g8b8': 3}


class Bad(Exception):
	pass


def rgbv(c):
	"""Plan 9's colour map, index to 0xRRGGBB, as libdraw's cmap2rgb."""
	r = c >> 6
	v = (c >> 4) & 3
	f = (c - v + r) & 15
	g, b = f >> 2, f & 3
	den = max(r, g, b)
	if den == 0:
		return 17 * v * 0x010101
	num = 17 * (4 * den + v)
	return (r * num // den) << 16 | (g * num // den) << 8 | (b * num // den)


RGBV = [rgbv(i) for i in range(256)]


class Image:
	def __init__(self, kind, chan, width, height, rows, blocks, size):
		self.kind = kind	# plan9, plan9z or png
		self.chan = chan
		self.width = width
		self.height = height
		self.rows = rows
		self.blocks = blocks	# plan9z's block count, else 0
		self.size = size	# bytes in the file


def field(data, off, what):
	"""An 11-character field, right-justified, and its blank."""
	if len(data) < off + 12:
		raise Bad('%s at %d: short file' % (what, off))
	f = data[off:off + 11]
	if data[off + 11:off + 12] != b' ':
		raise Bad('%s at %d: no blank after the field: %r' % (what, off, data[off:off + 12]))
	s = f.lstrip(b' ')
	if s == b'' or b' ' in s:
		raise Bad('%s at %d: not one right-justified word: %r' % (what, off, f))
	try:
		return s.decode('ascii')
	except UnicodeDecodeError:
		raise Bad('%s at %d: not ascii: %r' % (what, off, f))


def number(data, off, what):
	s = field(data, off, what)
	if not s.lstrip('-').isdigit() or s != str(int(s)):
		raise Bad('%s at %d: not a number: %r' % (what, off, s))
	return int(s)


def header(data, off):
	"""The 60-byte header: chan and rectangle; returns chan, width, height."""
	chan = field(data, off, 'chan')
	if chan not in CHANS:
		raise Bad('chan %r: not m8 or r8g8b8' % chan)
	r = [number(data, off + 12 * i, 'rectangle') for i in range(1, 5)]
	if r[0] != 0 or r[1] != 0 or r[2] <= 0 or r[3] <= 0:
		raise Bad('rectangle %d %d %d %d: not 0 0 width height' % tuple(r))
	return chan, r[2], r[3]


def fromplan9(chan, rows):
	"""image(6) keeps r8g8b8 as b,g,r: give r,g,b."""
	if chan != 'r8g8b8':
		return rows
	out = []
	for row in rows:
		t = bytearray(len(row))
		t[0::3], t[1::3], t[2::3] = row[2::3], row[1::3], row[0::3]
		out.append(bytes(t))
	return out


def plan9(data):
	chan, dx, dy = header(data, 0)
	bpl = dx * CHANS[chan]
	if len(data) != 60 + dy * bpl:
		raise Bad('%d bytes of rows, not %d (%d rows of %d)' % (len(data) - 60, dy * bpl, dy, bpl))
	rows = [data[60 + y * bpl:60 + (y + 1) * bpl] for y in range(dy)]
	return Image('plan9', chan, dx, dy, fromplan9(chan, rows), 0, len(data))


def block(code, off, bpl, nrow):
	"""Decode a block of nrow rows; every code within one row, every copy within the block and NMEM."""
	out = bytearray()
	want = nrow * bpl
	i = 0
	while len(out) < want:
		if i >= len(code):
			raise Bad('block at %d: code ends after %d of %d bytes' % (off, len(out), want))
		c = code[i]
		rowend = (len(out) // bpl + 1) * bpl
		if c >= 128:
			n = c - 128 + 1
			if i + 1 + n > len(code):
				raise Bad('block at %d: literals at %d run past the block' % (off, i))
			if len(out) + n > rowend:
				raise Bad('block at %d: literals at %d cross the end of a row' % (off, i))
			out += code[i + 1:i + 1 + n]
			i += 1 + n
			continue
		if i + 1 >= len(code):
			raise Bad('block at %d: copy at %d cut short' % (off, i))
		n = (c >> 2) + NMATCH
		d = ((c & 3) << 8 | code[i + 1]) + 1
		if d > len(out):
			raise Bad('block at %d: copy at %d from %d back, before the block (%d bytes in)' % (off, i, d, len(out)))
		# d > NMEM cannot be coded: ten bits of distance reach 1024 at most
		if len(out) + n > rowend:
			raise Bad('block at %d: copy at %d crosses the end of a row' % (off, i))
		src = out[len(out) - d:]
		if d < n:
			src = src * (n // d + 1)
		out += src[:n]
		i += 2
	if i != len(code):
		raise Bad('block at %d: %d bytes of code left over' % (off, len(code) - i))
	return [bytes(out[y * bpl:(y + 1) * bpl]) for y in range(nrow)]


def plan9z(data):
	off = len(b'compressed\n')
	chan, dx, dy = header(data, off)
	bpl = dx * CHANS[chan]
	ncblock = max(NCBLOCK, 2 * bpl)
	off += 60
	rows = []
	nblock = 0
	while len(rows) < dy:
		maxy = number(data, off, 'block maxy')
		n = number(data, off + 12, 'block size')
		if maxy <= len(rows) or maxy > dy:
			raise Bad('block at %d: maxy %d after %d, image %d high' % (off, maxy, len(rows), dy))
		if n <= 0 or n > ncblock:
			raise Bad('block at %d: %d bytes of code, not 1 to %d' % (off, n, ncblock))
		if off + 24 + n > len(data):
			raise Bad('block at %d: %d bytes of code, file ends' % (off, n))
		rows += block(data[off + 24:off + 24 + n], off, bpl, maxy - len(rows))
		off += 24 + n
		nblock += 1
	if off != len(data):
		raise Bad('%d bytes after the last block' % (len(data) - off))
	return Image('plan9z', chan, dx, dy, fromplan9(chan, rows), nblock, len(data))


def chunks(data):
	"""PNG chunks after the signature, CRCs checked: (type, data, offset)."""
	off = len(PNGSIG)
	while off < len(data):
		if off + 12 > len(data):
			raise Bad('chunk at %d: short' % off)
		n = int.from_bytes(data[off:off + 4], 'big')
		typ = data[off + 4:off + 8]
		if n >= 1 << 31 or off + 12 + n > len(data):
			raise Bad('chunk %r at %d: length %d past the file' % (typ, off, n))
		body = data[off + 8:off + 8 + n]
		crc = int.from_bytes(data[off + 8 + n:off + 12 + n], 'big')
		if zlib.crc32(typ + body) != crc:
			raise Bad('chunk %r at %d: bad crc' % (typ, off))
		yield typ, body, off
		off += 12 + n


def paeth(a, b, c):
	p = a + b - c
	pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
	if pa <= pb and pa <= pc:
		return a
	return b if pb <= pc else c


def unfilter(raw, dy, bpl, bpp):
	rows = []
	prev = bytearray(bpl)
	for y in range(dy):
		f = raw[y * (bpl + 1)]
		line = bytearray(raw[y * (bpl + 1) + 1:(y + 1) * (bpl + 1)])
		if f > 4:
			raise Bad('row %d: filter %d' % (y, f))
		for x in range(bpl) if f else ():
			a = line[x - bpp] if x >= bpp else 0
			c = prev[x - bpp] if x >= bpp else 0
			p = {1: a, 2: prev[x], 3: (a + prev[x]) // 2, 4: paeth(a, prev[x], c)}[f]
			line[x] = (line[x] + p) & 255
		rows.append(bytes(line))
		prev = line
	return rows


def png(data):
	seen = [typ for typ, _, _ in chunks(data)]
	if not seen or seen[0] != b'IHDR':
		raise Bad('no IHDR first')
	if seen[-1] != b'IEND':
		raise Bad('no IEND last')
	idat = bytearray()
	plte = None
	last = None
	for typ, body, off in chunks(data):
		if typ == b'IHDR':
			if off != 8 or len(body) != 13:
				raise Bad('IHDR at %d: %d bytes, or not first' % (off, len(body)))
			dx = int.from_bytes(body[0:4], 'big')
			dy = int.from_bytes(body[4:8], 'big')
			depth, ctype, comp, filt, lace = body[8:13]
			if dx == 0 or dy == 0 or depth != 8 or ctype not in (2, 3) or comp or filt or lace:
				raise Bad('IHDR: %dx%d depth %d type %d compression %d filter %d interlace %d' % (dx, dy, depth, ctype, comp, filt, lace))
		elif typ == b'PLTE':
			if plte is not None or idat:
				raise Bad('PLTE at %d: a second, or after IDAT' % off)
			plte = body
		elif typ == b'IDAT':
			if idat and last != b'IDAT':
				raise Bad('IDAT at %d: not with the others' % off)
			idat += body
		elif typ == b'IEND':
			if body:
				raise Bad('IEND at %d: not empty' % off)
		else:
			raise Bad('chunk %r at %d: not one lib/image writes' % (typ, off))
		last = typ
	if seen.count(b'IHDR') != 1 or seen.count(b'IEND') != 1:
		raise Bad('IHDR or IEND more than once')
	if ctype == 3:
		want = b''.join(c.to_bytes(3, 'big') for c in RGBV)
		if plte != want:
			raise Bad('PLTE is not the rgbv map')
	elif plte is not None:
		raise Bad('PLTE in an RGB image')
	if not idat:
		raise Bad('no IDAT')
	z = zlib.decompressobj()
	raw = z.decompress(bytes(idat))
	if not z.eof or z.unused_data:
		raise Bad('IDAT: deflate stream cut short or followed by garbage')
	bpp = 1 if ctype == 3 else 3
	if len(raw) != dy * (dx * bpp + 1):
		raise Bad('IDAT: %d bytes, not %d' % (len(raw), dy * (dx * bpp + 1)))
	rows = unfilter(raw, dy, dx * bpp, bpp)
	return Image('png', 'm8' if ctype == 3 else 'r8g8b8', dx, dy, rows, 0, len(data))


def decode(data):
	data = bytes(data)
	if data.startswith(PNGSIG):
		return png(data)
	if data.startswith(b'compressed\n'):
		return plan9z(data)
	return plan9(data)


def read(path):
	with open(path, 'rb') as f:
		return decode(f.read())


def main(argv):
	pixels = argv[1:2] == ['--pixels']
	files = argv[2:] if pixels else argv[1:]
	if not files or any(f.startswith('-') for f in files):
		print('usage: imgdecode.py [--pixels] FILE...', file=sys.stderr)
		return 2
	status = 0
	for path in files:
		try:
			im = read(path)
		except (Bad, OSError) as e:
			print('imgdecode: %s: %s' % (path, e), file=sys.stderr)
			status = 1
			continue
		if not pixels:
			print('%s: %s %s %dx%d, %d bytes%s' % (path, im.kind, im.chan, im.width, im.height, im.size,
				', %d blocks' % im.blocks if im.kind == 'plan9z' else ''))
			continue
		for row in im.rows:
			if im.chan == 'm8':
				print(row.hex(' '))
			else:
				print(' '.join(row[i:i + 3].hex() for i in range(0, len(row), 3)))
	return status


if __name__ == '__main__':
	signal.signal(signal.SIGPIPE, signal.SIG_DFL)	# quietly, into head
	sys.exit(main(sys.argv))
